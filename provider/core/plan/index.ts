/** The planners, one per kind: every decision "what must change?" is taken here (docs/architecture.md). */
export * from "./organization";
export * from "./profile";
export * from "./members";
