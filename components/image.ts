/**
 * Image references: Kubernetes' default pull policy for one, and whether Docker can use it.
 */
import { ImagePullPolicy } from "./spec";

/**
 * Splits an image reference into its tag and digest (registry ports such as `host:5000/x` are
 * not tags). Returns undefined fields when absent.
 */
export function imageTag(image: string): { tag?: string; digest?: string } {
    const at = image.indexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const name = at >= 0 ? image.slice(0, at) : image;
    const lastSlash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const tag = colon > lastSlash ? name.slice(colon + 1) : undefined;
    return { tag, digest };
}

/** Kubernetes' default (core/v1 SetDefaults_Container): Always for `:latest` or no tag (without a digest), else IfNotPresent. */
export function defaultPullPolicy(image: string): ImagePullPolicy {
    const { tag, digest } = imageTag(image);
    return digest === undefined && (tag === undefined || tag === "latest") ? "Always" : "IfNotPresent";
}

// Docker's reference grammar (distribution/reference): [domain/]path[:tag][@digest].
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?";
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

/** Why Docker cannot use `image` as a reference, or undefined when it can. */
export function imageReferenceProblem(image: string): string | undefined {
    if (/\s/.test(image)) return "it contains whitespace";
    if (REFERENCE.test(image)) return undefined;
    const { tag } = imageTag(image);
    const name = image.split("@")[0].slice(0, tag !== undefined ? image.split("@")[0].length - tag.length - 1 : undefined);
    if (name !== name.toLowerCase() && !name.includes("/")) return "the repository must be lower case";
    return "expected [registry[:port]/]repository[:tag][@digest] with a lower-case repository";
}
