#!/usr/bin/env node
// Placeholder for the `tfe` command (players in separate processes).
console.error('tfe: the command-line interface is not available yet in this version.');
process.exit(1);
