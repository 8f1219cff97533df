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

// Search as you type: a GET form marked data-live-search="<region id>" fetches its own results
// page as the user types (after a short pause) and swaps in the region, which is an aria-live
// region so screen readers hear the new count. Without JavaScript the Search button does the same.
for (const form of document.querySelectorAll('form[data-live-search]')) {
  const region = document.getElementById(form.dataset.liveSearch)
  if (!region) continue
  let timer = null
  let latest = 0
  form.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(async () => {
      const query = new URLSearchParams(new FormData(form)).toString()
      const url = `${form.action}?${query}`
      const mine = ++latest
      try {
        const response = await fetch(url, { credentials: 'same-origin', headers: { 'x-requested-with': 'live-search' } })
        if (mine !== latest || response.redirected || !response.ok) return
        const page = new DOMParser().parseFromString(await response.text(), 'text/html')
        const fresh = page.getElementById(region.id)
        if (fresh) {
          region.innerHTML = fresh.innerHTML
          window.history.replaceState(null, '', url)
        }
      } catch (e) {
        // Offline: the Search button still works.
      }
    }, 250)
  })
}
