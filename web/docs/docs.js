// Starts Swagger UI on #swagger-ui with the OpenAPI document named by its data-spec-url.
// Kept out of the HTML so the page's Content-Security-Policy can forbid inline scripts.
(function () {
    'use strict';

    var root = document.getElementById('swagger-ui');
    var errorBox = document.getElementById('docs-error');

    function showError(text) {
        errorBox.textContent = text;
        errorBox.hidden = false;
    }

    // "Try it out" calls servers[0]. When BASE_URL names another origin than the one this page
    // was loaded from (localhost vs 127.0.0.1, a proxy), the page's CSP (connect-src 'self') and
    // the browser's same-origin rules would block it, so this origin is offered first.
    function offerPageOrigin(spec) {
        var servers = Array.isArray(spec.servers) ? spec.servers : [];
        var sameOrigin = servers.some(function (server) {
            try {
                return new URL(server.url, window.location.href).origin === window.location.origin;
            } catch (e) {
                return false;
            }
        });
        if (!sameOrigin) {
            var here = { url: window.location.origin, description: 'This server' };
            spec.servers = [here].concat(servers);
        }
        return spec;
    }

    function escapeHtml(text) {
        return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    }

    // Descriptions come from whoever deployed the workflow, and Swagger UI renders them as
    // Markdown, which lets HTML through (sanitised, yet an <img> still loads and its handlers
    // trip the CSP). Escaping HTML makes them read as the text they are. Example and default
    // values are data, not prose, and stay as they are; under `properties` the keys are field
    // names, so a field called "description" is still walked as a schema.
    function escapeDescriptions(node, keysAreNames) {
        if (Array.isArray(node)) {
            node.forEach(function (item) {
                escapeDescriptions(item, false);
            });
            return;
        }
        if (!node || typeof node !== 'object') {
            return;
        }
        Object.keys(node).forEach(function (key) {
            var value = node[key];
            if (keysAreNames) {
                escapeDescriptions(value, false);
            } else if (key === 'description' && typeof value === 'string') {
                node[key] = escapeHtml(value);
            } else if (['example', 'default', 'enum', 'value', 'x-example'].indexOf(key) === -1) {
                escapeDescriptions(value, key === 'properties');
            }
        });
    }

    var specUrl = root.getAttribute('data-spec-url');
    fetch(specUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (response) {
            if (!response.ok) {
                throw new Error('The OpenAPI document could not be loaded (HTTP ' +
                    response.status + ')');
            }
            return response.json();
        })
        .then(function (spec) {
            escapeDescriptions(spec, false);
            window.ui = SwaggerUIBundle({
                spec: offerPageOrigin(spec),
                dom_id: '#swagger-ui',
                presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                layout: 'BaseLayout',
                deepLinking: true,
                validatorUrl: null,
                displayRequestDuration: true,
                persistAuthorization: false
            });
        })
        .catch(function (error) {
            showError(error.message || String(error));
        });
})();
