// CareerKB progressive enhancement. Every feature here upgrades a form that works without it.
"use strict";
