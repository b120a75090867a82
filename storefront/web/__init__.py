"""The web layer: themes and the Jinja loader, template slots and panels, the reader of a
page, response headers, error pages, HTTP caching of guest pages, the static site's links,
URL checks, the proxy set-up and throttles."""
