import * as runtimeConfig from "@pulumi/pulumi/runtime/config";

/**
 * Which configuration keys the stack holds as secrets. The CLI decrypts `secure:` values before
 * the program runs and names their keys in `PULUMI_CONFIG_SECRET_KEYS`; the SDK reads that list
 * in `isConfigSecret` (sdk/nodejs/runtime/config.ts in pulumi/pulumi, 3.248.0), which its typings
 * do not declare. This is the one place the program reaches for it, and a test checks it is
 * there.
 */

type SdkConfig = { isConfigSecret?: (key: string) => boolean };

export function isSecretConfig(fullKey: string): boolean {
    const sdk = runtimeConfig as unknown as SdkConfig;
    if (typeof sdk.isConfigSecret !== "function") {
        throw new Error(
            "@pulumi/pulumi no longer provides runtime/config's isConfigSecret, which tells a secret config value from a plain one; pin the @pulumi/pulumi version in package.json",
        );
    }
    return sdk.isConfigSecret(fullKey);
}
