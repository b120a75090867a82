"""The static site: ``storefront build`` writes the shop's public pages to plain files.

Modules: ``site`` runs a build; ``content`` syncs changed product files; ``pages`` lists
the pages and their sources; ``site_key`` fingerprints what every page depends on;
``render`` fetches a page as a guest (Flask's test client); ``parallel`` renders and writes
pages (and parses many changed files) in a process pool; ``links`` rewrites its links;
``paths`` maps pages to files; ``assets``, ``sitemap``, ``manifest``, ``sources`` do what
they say; ``command`` is the CLI; ``templating`` gives templates ``static_alternates``
during a build. The build depends on the shop (it renders through the shop's app), never
the other way round: what the shop's templates know of the build is in
``storefront.static_site``.
"""
