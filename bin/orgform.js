#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled TypeScript under dist/.
require("../dist/provider/cli/index.js").main(process.argv);
