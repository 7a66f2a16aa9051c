import { rootRotationSteps } from "./caRotation";
import { DeployedState } from "./deployed";
import type { PlatformConfig } from "./model";
import { readerTokenSteps } from "./readerTokens";

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

const PHASES = ["canary", "dataplane", "promoted"];

type IstioState = NonNullable<DeployedState["lifecycle"]["istio"]>;

/** Starting an upgrade, or changing the release without one: patches only. */
function istioWithoutUpgradeDeployed(config: PlatformConfig, was: IstioState): string[] {
    const { istioVersion, upgrade } = config.mesh;
    const step = minorOf(istioVersion) - minorOf(was.version);
    if (upgrade === undefined) {
        if (step > 0) {
            return [
                `mesh.istioVersion: "${istioVersion}" is a minor upgrade from the deployed ${was.version}; minor upgrades go by revision: keep mesh.istioVersion: "${was.version}" and set mesh.upgrade: { to: "${istioVersion}", phase: canary } (docs/operations.md, "Istio")`,
            ];
        }
        return step < 0
            ? [
                  `mesh.istioVersion: "${istioVersion}" is below the deployed ${was.version}; Istio's control plane and CRDs do not go back a minor: keep ${was.version}'s minor`,
              ]
            : [];
    }
    if (step !== 0) {
        return [
            `mesh.istioVersion: "${istioVersion}" is not the deployed ${was.version}; an upgrade starts from what runs: keep mesh.istioVersion: "${was.version}" beside mesh.upgrade`,
        ];
    }
    return upgrade.phase === "canary"
        ? []
        : [
              `mesh.upgrade.phase: "${upgrade.phase}" skips canary; an upgrade to ${upgrade.to} starts with phase: canary`,
          ];
}

/** An upgrade in progress: one phase forward or back, the same target, the same current. */
function istioDuringUpgrade(
    config: PlatformConfig,
    was: IstioState,
    wasUp: { to: string; phase: string },
): string[] {
    const { istioVersion, upgrade } = config.mesh;
    const at = PHASES.indexOf(wasUp.phase);
    if (upgrade === undefined) {
        if (minorOf(istioVersion) === minorOf(wasUp.to)) {
            return wasUp.phase === "promoted"
                ? []
                : [
                      `mesh.upgrade: removed, with mesh.istioVersion "${istioVersion}", while the deployed upgrade is in phase ${wasUp.phase}; it finishes from promoted: set phase: ${PHASES[at + 1]} next`,
                  ];
        }
        if (minorOf(istioVersion) === minorOf(was.version)) {
            return wasUp.phase === "canary"
                ? []
                : [
                      `mesh.upgrade: removed in phase ${wasUp.phase}; to abandon the upgrade to ${wasUp.to}, go back one phase at a time (phase: ${PHASES[at - 1]} next) and remove it from canary`,
                  ];
        }
        return [
            `mesh.istioVersion: "${istioVersion}" is neither the deployed ${was.version} nor the upgrade's ${wasUp.to}; finish or abandon that upgrade first`,
        ];
    }
    const problems: string[] = [];
    if (minorOf(upgrade.to) !== minorOf(wasUp.to)) {
        problems.push(
            `mesh.upgrade.to: "${upgrade.to}" is not the upgrade in progress (to ${wasUp.to}); finish or abandon that one first`,
        );
    }
    if (minorOf(istioVersion) !== minorOf(was.version)) {
        problems.push(
            `mesh.istioVersion: "${istioVersion}" changes while the upgrade to ${wasUp.to} is in progress; keep "${was.version}" until it finishes`,
        );
    }
    const step = PHASES.indexOf(upgrade.phase) - at;
    if (step > 1) {
        problems.push(
            `mesh.upgrade.phase: "${upgrade.phase}" skips ${PHASES.slice(at + 1, at + step).join(", ")}; after ${wasUp.phase} comes phase: ${PHASES[at + 1]}`,
        );
    } else if (step < -1) {
        problems.push(
            `mesh.upgrade.phase: "${upgrade.phase}" goes back past ${PHASES.slice(at + step + 1, at).join(", ")}; go back one phase at a time: phase: ${PHASES[at - 1]}`,
        );
    }
    return problems;
}

/**
 * Istio: patches in place; a minor only by revision, one phase per update, forward or back
 * (docs/operations.md, "Istio").
 */
function istioSteps(config: PlatformConfig, deployed: DeployedState): string[] {
    const was = deployed.lifecycle.istio;
    if (was === undefined) {
        return [];
    }
    return was.upgrade === undefined
        ? istioWithoutUpgradeDeployed(config, was)
        : istioDuringUpgrade(config, was, was.upgrade);
}

/** Every step-by-step rule; empty when the config may be applied to what is deployed. */
export function checkTransitions(
    config: PlatformConfig,
    deployed: DeployedState | undefined,
): string[] {
    if (deployed === undefined) {
        return [];
    }
    return [
        ...kubernetesSteps(config, deployed),
        ...istioSteps(config, deployed),
        ...readerTokenSteps(config.mesh, deployed),
        ...rootRotationSteps(config, deployed),
    ];
}
