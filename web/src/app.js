// bluelamp client script: progressive enhancement only; every page works without it.
// Loaded as <script type="module" src="/assets/app.js"> at the end of <body>.
// GOV.UK's template sets these body classes with an inline script; our CSP forbids
// inline scripts, so we set them here (a browser running a module is supported).
import { initAll } from '/assets/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
