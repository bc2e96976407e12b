export * from "./edge-origin-policies";
export * from "./function-policies";
export * from "./identity-policies";
export * from "./policy-statement";
