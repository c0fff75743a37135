// @runtrail/temporal public API (filled in by the Temporal plugin work).
export {};
