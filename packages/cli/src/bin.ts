#!/usr/bin/env node
// The `runtrail` command.
export {};
