#!/usr/bin/env node
// Committed launcher for the `runtrail` bin: pnpm links bins at install time, before `tsc -b` has built
// dist/, so the bin must be a file that exists in a fresh clone. It only loads the built command.
import '../dist/bin.js';
