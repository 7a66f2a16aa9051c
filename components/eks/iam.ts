/** A trust policy letting one AWS service assume the role. */
export function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
            },
        ],
    });
}
