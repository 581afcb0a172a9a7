// maillage's GraphiQL: rides on the session cookie and echoes the CSRF cookie in the
// CSRF header (names given by the page), so mutations typed here pass the API's check.
// The query and variables live in the address (?q=…&v=…; "query" would make the GET
// a query for the API) so that a query can be shared.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var csrfCookie = root.dataset.csrfCookie;
  var csrfHeader = root.dataset.csrfHeader;

  function cookie(name) {
    var prefix = name + "=";
    var found = document.cookie.split("; ").find(function (c) {
      return c.indexOf(prefix) === 0;
    });
    return found ? decodeURIComponent(found.slice(prefix.length)) : null;
  }

  var url = window.location.origin + window.location.pathname;
  var fetcher = GraphiQL.createFetcher({
    url: url,
    // Read at each call: signing in again in another tab changes the token.
    fetch: function (input, init) {
      var headers = Object.assign({}, (init && init.headers) || {});
      var token = cookie(csrfCookie);
      if (token) headers[csrfHeader] = token;
      return window.fetch(input, Object.assign({}, init, { headers: headers }));
    },
  });
  var params = new URLSearchParams(window.location.search);

  function remember(name, value) {
    if (value) params.set(name, value);
    else params.delete(name);
    history.replaceState(null, "", "?" + params.toString());
  }

  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function App() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      defaultQuery: "{\n  viewer { displayName currentPole { slug } roles }\n}\n",
      query: params.get("q") || undefined,
      variables: params.get("v") || undefined,
      onEditQuery: function (q) { remember("q", q); },
      onEditVariables: function (v) { remember("v", v); },
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
    });
  }

  ReactDOM.createRoot(root).render(React.createElement(App));
})();
