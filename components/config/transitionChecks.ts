import { rootRotationSteps } from "./caRotation";
import { DeployedState } from "./deployed";
import type { PlatformConfig } from "./index";

/**
 * Changes the platform takes only one step at a time, judged against what the stack's last
 * update deployed. Each problem names the key, the deployed and the wanted value, and the next
 * step to take instead.
 */

const minorOf = (version: string) => Number(version.split(".")[1]);

/**
 * Kubernetes: EKS upgrades a control plane one minor at a time and never downgrades
 * (UpdateClusterVersion). The node group and the add-ons follow the control plane in the same
 * update (docs/operations.md, "Kubernetes").
 */
function kubernetesSteps(config: PlatformConfig, deployed: DeployedState): string[] {
    return config.clusters.flatMap((c, i) => {
        const before = deployed.clusters.find((d) => d.name === c.name)?.kubernetesVersion;
        if (before === undefined || before === c.kubernetesVersion) {
            return [];
        }
        const key = `clusters[${i}].kubernetesVersion`;
        const step = minorOf(c.kubernetesVersion) - minorOf(before);
        if (step < 0) {
            return [
                `${key}: "${c.kubernetesVersion}" is below the deployed ${before}; EKS cannot downgrade a cluster: keep "${before}", or replace the cluster under another name`,
            ];
        }
        if (step > 1) {
            const next = `1.${minorOf(before) + 1}`;
            return [
                `${key}: "${c.kubernetesVersion}" is ${step} minors above the deployed ${before}; EKS upgrades one minor at a time: set "${next}", pulumi up, and go on from there`,
            ];
        }
        return [];
    });
}

/** Every step-by-step rule; empty when the config may be applied to what is deployed. */
export function checkTransitions(
    config: PlatformConfig,
    deployed: DeployedState | undefined,
): string[] {
    if (deployed === undefined) {
        return [];
    }
    return [...kubernetesSteps(config, deployed), ...rootRotationSteps(config, deployed)];
}
