import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/** KMS keys: the envelope keys of the clusters' Secrets, and any other key of the stack. */

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation-enabled",
    description: "Symmetric KMS keys rotate their key material every year.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
        if (spec === "SYMMETRIC_DEFAULT" && key.enableKeyRotation !== true) {
            report("enableKeyRotation is not true; turn on yearly rotation of the key material.");
        }
    }),
};
