/** The environments the bench plans: `n` clusters over up to four regions, one address space. */

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"];

/** A valid environment of `n` clusters, in `Pulumi.<stack>.yaml` form. */
export function environment(n: number): Record<string, unknown> {
    return {
        config: {
            "eks-ambient-mesh:environment": "bench",
            "eks-ambient-mesh:clusters": [...Array(n).keys()].map((i) => ({
                name: `bench-${i + 1}`,
                region: REGIONS[i % REGIONS.length],
                kubernetesVersion: "1.35",
                vpcCidr: `10.${i + 1}.0.0/16`,
                serviceCidr: `172.${16 + Math.floor(i / 16)}.${(i % 16) * 16}.0/20`,
                availabilityZoneCount: 2,
                nodeGroup: { instanceTypes: ["m6i.large"], minSize: 1, desiredSize: 2, maxSize: 3 },
            })),
            "eks-ambient-mesh:mesh": { addressSpace: ["10.0.0.0/8"] },
        },
    };
}
