import * as k8s from "@pulumi/kubernetes";
import {
    PolicyResource,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { byChart, dig, helmReleases, known } from "../util";

/** East-west gateways: internal load balancers only, and one kind of gateway per mesh. */

const EAST_WEST_CLASS = "istio-east-west";
const GATEWAY_TYPES = [
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway",
];
const LB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const LB_INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal";

function isInternal(annotations: unknown): boolean {
    return (
        dig(annotations, [LB_SCHEME]) === "internal" || dig(annotations, [LB_INTERNAL]) === "true"
    );
}

/** Ports peers send mesh traffic to: HBONE, and sidecar mode's mTLS auto-passthrough. */
export const MESH_PORTS = [15008, 15443];

const gatewayApiEastWest: ResourceValidation = (args, report) => {
    if (!GATEWAY_TYPES.includes(args.type)) {
        args.notApplicable("Policy only applies to Gateway API gateways and Helm releases");
    }
    if (known(() => args.props.spec?.gatewayClassName) !== EAST_WEST_CLASS) {
        return;
    }
    // With parameters, the Service Istio deploys is what the ConfigMap makes of it (a ClusterIP
    // on fixed addresses, checked by mesh-reachability); without, it is a load balancer.
    if (known(() => args.props.spec?.infrastructure?.parametersRef) !== undefined) {
        return;
    }
    if (!isInternal(known(() => args.props.spec?.infrastructure?.annotations))) {
        report(
            `east-west gateway ${args.name} gets an internet-facing load balancer; set ` +
                `spec.infrastructure.annotations ${LB_SCHEME}: internal so cross-cluster ` +
                "traffic stays on the Transit Gateway.",
        );
    }
};

export const istioEastWestInternal: ResourceValidationPolicy = {
    name: "istio-east-west-gateway-internal",
    description:
        "East-west gateways get internal load balancers, so cross-cluster traffic stays on the Transit Gateway.",
    enforcementLevel: "mandatory",
    validateResource: [
        gatewayApiEastWest,
        validateResourceOfType(k8s.helm.v3.Release, (release, args, report) => {
            // Sidecar mode: the gateway chart becomes an east-west gateway through networkGateway.
            if (!release.values?.networkGateway) {
                return;
            }
            const type = dig(release.values, ["service", "type"]);
            if (type === "ClusterIP" || type === "NodePort") {
                return;
            }
            if (!isInternal(dig(release.values, ["service", "annotations"]))) {
                report(
                    `east-west gateway ${args.name} gets an internet-facing load balancer; set ` +
                        `values.service.annotations ${LB_SCHEME}: internal so cross-cluster ` +
                        "traffic stays on the Transit Gateway.",
                );
            }
        }),
        validateResourceOfType(k8s.core.v1.Service, (service, args, report) => {
            if (service.spec?.type !== "LoadBalancer") {
                return;
            }
            const ports = (service.spec.ports ?? []).map((p) => Number(p.port));
            const mesh = ports.find((p) => MESH_PORTS.includes(p));
            if (mesh !== undefined && !isInternal(service.metadata?.annotations)) {
                report(
                    `load balancer Service ${args.name} exposes mesh port ${mesh} to the ` +
                        `internet; set metadata.annotations ${LB_SCHEME}: internal so ` +
                        "cross-cluster traffic stays on the Transit Gateway.",
                );
            }
        }),
    ],
};

function isAmbientEastWest(r: PolicyResource): boolean {
    return (
        GATEWAY_TYPES.includes(r.type) &&
        known(() => r.props.spec?.gatewayClassName) === EAST_WEST_CLASS
    );
}

export const istioEastWestModes: StackValidationPolicy = {
    name: "istio-east-west-gateway-modes-not-mixed",
    description:
        "A mesh uses either ambient (istio-east-west) or sidecar-mode east-west gateways, not both.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const ambient = args.resources.filter(isAmbientEastWest);
        const sidecar = byChart(helmReleases(args.resources), "gateway").filter(
            (r) => !!r.at(["networkGateway"]),
        );
        if (ambient.length === 0 || sidecar.length === 0) {
            args.notApplicable(
                "Policy only applies to stacks with both kinds of east-west gateway",
            );
        }
        report(
            `the stack has ambient east-west gateways (${ambient.map((r) => r.name).join(", ")}) ` +
                `and sidecar-mode ones (${sidecar.map((r) => r.resource.name).join(", ")}); ` +
                "use one kind per mesh (mixing them broke ingress in Istio 1.29.1).",
        );
    },
};
