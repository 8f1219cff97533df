// bluelamp client script: progressive enhancement only; every page works without it.
// Loaded as <script type="module" src="/assets/app.js"> at the end of <body>.
// GOV.UK's template sets these body classes with an inline script; our CSP forbids
// inline scripts, so we set them here (a browser running a module is supported).
import { initAll } from '/assets/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// Live regions marked data-refresh="N" (the control-room queue) reload their contents every N
// seconds without reloading the page. Without JavaScript the page still works; reload it by hand.
for (const region of document.querySelectorAll('[data-refresh]')) {
  const seconds = Math.max(5, Number(region.dataset.refresh) || 15)
  setInterval(async () => {
    try {
      const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { 'x-requested-with': 'refresh' } })
      if (response.redirected || !response.ok) return
      const page = new DOMParser().parseFromString(await response.text(), 'text/html')
      const fresh = page.getElementById(region.id)
      if (fresh) region.innerHTML = fresh.innerHTML
    } catch (e) {
      // Offline or restarting: keep showing the last good copy.
    }
  }, seconds * 1000)
}
