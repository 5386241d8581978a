// Progressive enhancement only: every task works without JavaScript.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
