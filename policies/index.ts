import { PolicyPack } from "@pulumi/policy";
import { packEnforcementLevel, packName, policies } from "./rules";

// The only place the pack is constructed: this starts the analyzer server the Pulumi CLI talks to.
new PolicyPack(packName, { policies, enforcementLevel: packEnforcementLevel });
