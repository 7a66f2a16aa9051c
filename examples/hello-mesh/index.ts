import * as pulumi from "@pulumi/pulumi";
import { MeshPlatform } from "../../components/platformReference";
import { deployHello } from "./app";

export = async () => {
    const config = new pulumi.Config();
    const platform = await MeshPlatform.load(config.require("platformStack"));
    const image = config.get("image") ?? "docker.io/istio/examples-helloworld-v1:1.0";
    return { meshId: platform.info.meshId, services: deployHello(platform, image) };
};
