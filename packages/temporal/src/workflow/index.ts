// @runtrail/temporal/workflow: what workflow code may import.
export {};
