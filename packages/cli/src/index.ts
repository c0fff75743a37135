// @runtrail/cli public API (the run store reader and renderers).
export {};
