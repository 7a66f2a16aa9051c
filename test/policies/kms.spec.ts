import * as rules from "../../policies/rules";
import { meshStack } from "../fixtures/policy-mesh";
import { resourceCases } from "./cases";

/** The kms-* rules (policies/rules/kms.ts). */

describe("policy: KMS", () => {
    resourceCases(rules.kmsKeyRotation, () => meshStack().a.key, [
        { title: "accepts a rotating key", expected: [] },
        {
            title: "rejects a symmetric key without rotation",
            change: (k) => (k.props.enableKeyRotation = false),
            expected: [
                "enableKeyRotation is not true; turn on yearly rotation of the key material.",
            ],
        },
        {
            title: "leaves asymmetric keys alone, as AWS cannot rotate them",
            change: (k) => {
                k.props.enableKeyRotation = false;
                k.props.customerMasterKeySpec = "RSA_4096";
            },
            expected: [],
        },
    ]);
});
