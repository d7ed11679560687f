/**
 * What a renderer returns: the group's outputs, the same shape for both backends.
 */
import * as pulumi from "@pulumi/pulumi";
import { Backend } from "./spec";

/** A port of the group as it can be reached. */
export interface PublishedPort {
    /** Spec name of the container that declared the port. */
    container: string;
    /** Port name from the spec, if any. */
    name?: string;
    /** Port inside the group's network namespace. */
    containerPort: number;
    /** "tcp" or "udp". */
    protocol: "tcp" | "udp";
    /** Docker only: host address the port is published on. */
    hostIp?: string;
    /** Docker only: host port (the spec's hostPort, or the ephemeral one Docker picked). */
    hostPort?: number;
}

/** Outputs of a rendered group. */
export interface PodGroupRendering {
    backend: Backend;
    groupName: string;
    /** Docker: the pause container's id. Kubernetes: undefined. */
    pauseId: pulumi.Output<string | undefined>;
    /** Kubernetes: the Pod's name. Docker: undefined. */
    podName: pulumi.Output<string | undefined>;
    /** Kubernetes: the Pod's namespace. Docker: undefined. */
    namespace: pulumi.Output<string | undefined>;
    /** Member name -> Docker container id (Docker) or `<namespace>/<pod>/<container>` (Kubernetes). */
    memberIds: pulumi.Output<Record<string, string>>;
    /** Init container name -> Docker container id (Docker) or `<namespace>/<pod>/<container>` (Kubernetes). */
    initIds: pulumi.Output<Record<string, string>>;
    /** Member names in spec order. */
    members: string[];
    /** Container name (pause, init containers, members) -> Docker container name; Kubernetes: container name in the Pod. */
    containerNames: Record<string, string>;
    /** Every declared port of the members. */
    ports: pulumi.Output<PublishedPort[]>;
}
