"""Browser tests: the application served over HTTP and driven through Debian's Chromium with Playwright."""
