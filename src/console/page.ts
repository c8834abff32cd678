/** The one HTML page: the client renders everything into #app; assets named by version for caching. */
export const consolePage = (version: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%231d4ed8'/%3E%3C/svg%3E">
<title>Sequent console</title>
<link rel="stylesheet" href="/console/app.css?v=${version}">
<script type="module" src="/console/app.js?v=${version}"></script>
</head>
<body>
<div id="app"><noscript>The Sequent console needs JavaScript. The API is at <a href="/docs">/docs</a>.</noscript></div>
</body>
</html>
`;
