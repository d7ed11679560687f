/**
 * The PodGroup library: one spec (a Kubernetes PodSpec subset), validated, rendered on Docker
 * or Kubernetes.
 */
export * from "./spec";
export * from "./labels";
export * from "./naming";
export * from "./quantity";
export * from "./validate";
export * from "./resolve";
export * from "./healthcheck";
export * from "./rendering";
export * from "./render-docker";
export * from "./render-kubernetes";
export * from "./pod-group";
export * from "./sample";
export * from "./supervisor";
