// Builds the static files the portal serves: GOV.UK Frontend's Sass compiled with Arial,
// its JavaScript and images, and htmx. Output goes to build/static (never committed).
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "govuk"), { recursive: true });
mkdirSync(join(out, "img"), { recursive: true });

const css = sass.compile(join(root, "assets", "scss", "app.scss"), {
  loadPaths: [govuk, join(root, "assets", "scss")],
  style: "compressed",
  sourceMap: false,
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), css.css);

// Only what the pages use: the whole dist folder is about 75 MB.
cpSync(join(govuk, "govuk", "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
// GOV.UK's images are the crown and crest, which a council service must not show: none are copied.
cpSync(join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(out, "htmx.min.js"));
cpSync(join(root, "assets", "js", "app.mjs"), join(out, "app.mjs"));
cpSync(join(root, "assets", "img"), join(out, "img"), { recursive: true });
console.log(`assets built in ${out}`);
