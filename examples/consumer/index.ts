/**
 * A user's Pulumi program: one group from the installed `podgroup` package.
 * `pulumi up` deploys it on the local Docker engine (or a cluster with backend "kubernetes").
 */
import * as pulumi from "@pulumi/pulumi";
import { PodGroup } from "podgroup";
import { shopSpec } from "./shop";

const config = new pulumi.Config();
const shop = new PodGroup("shop", { backend: config.get("backend") === "kubernetes" ? "kubernetes" : "docker", spec: shopSpec() });

export const members = shop.members;
export const containerNames = shop.containerNames;
