// Dashboard of the Clara Agent Runner: lists deployments, deploys workflow exports, executes
// them and manages their keys through the runner's own REST API (same origin, relative URLs).
// Every piece of server data reaches the page through textContent or attributes, never as HTML.
(function () {
    'use strict';

    var REFRESH_MS = 30000;
    var DELETE_CONFIRM_MS = 5000;

    var state = {
        deployments: [],
        query: '',
        selected: null,      // the deployment shown in the panel
        adminKey: sessionStorage.getItem('clara.adminKey') || '',
        // Keys returned by deploy/regenerate in this tab, so the panel can prefill them.
        // Never persisted: the server shows a key once and so does this page.
        sessionKeys: {},
        deleteArmedUntil: 0
    };

    function $(id) {
        return document.getElementById(id);
    }

    /** Creates an element; `text` (optional) becomes its textContent. */
    function el(tag, className, text) {
        var node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined && text !== null) {
            node.textContent = String(text);
        }
        return node;
    }

    function clear(node) {
        while (node.firstChild) {
            node.removeChild(node.firstChild);
        }
    }

    function show(node, visible) {
        node.hidden = !visible;
    }

    function pretty(value) {
        return JSON.stringify(value, null, 2);
    }

    // ---- HTTP -------------------------------------------------------------------------------

    /** Calls the API; resolves to {status, ok, data} (data: parsed JSON or null). */
    function api(path, options) {
        options = options || {};
        var headers = { Accept: 'application/json' };
        if (options.key) {
            headers.Authorization = 'Bearer ' + options.key;
        }
        var init = {
            method: options.method || 'GET',
            headers: headers,
            credentials: 'same-origin'
        };
        if (options.body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = typeof options.body === 'string'
                ? options.body
                : JSON.stringify(options.body);
        }
        return fetch(path, init).then(function (response) {
            return response.text().then(function (text) {
                var data = null;
                try {
                    data = text ? JSON.parse(text) : null;
                } catch (e) {
                    data = null;
                }
                return { status: response.status, ok: response.ok, data: data };
            });
        });
    }

    /** "Error: message" from an error envelope. */
    function describeError(result) {
        var data = result.data || {};
        var text = data.error || ('HTTP ' + result.status);
        if (data.message) {
            text += ': ' + data.message;
        }
        return text;
    }

    function workflowPath(slug, suffix) {
        return '/api/workflows/' + encodeURIComponent(slug) + (suffix || '');
    }

    // ---- Formatting --------------------------------------------------------------------------

    function formatDuration(ms) {
        if (ms === null || ms === undefined || isNaN(ms)) {
            return '—';
        }
        if (ms < 1000) {
            return Math.round(ms) + ' ms';
        }
        return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    }

    function formatDate(iso) {
        if (!iso) {
            return 'Never';
        }
        var date = new Date(iso);
        return isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
    }

    function successRate(deployment) {
        var total = deployment.executionCount || 0;
        if (!total) {
            return '—';
        }
        return Math.round(((deployment.successCount || 0) / total) * 100) + '%';
    }

    // ---- Copy --------------------------------------------------------------------------------

    function copyText(text, button) {
        var done = function () {
            var original = button.textContent;
            button.textContent = 'Copied';
            setTimeout(function () {
                button.textContent = original;
            }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(text).then(done, function () {
                selectForCopy(text, button);
            });
        } else {
            selectForCopy(text, button);
            done();
        }
    }

    // Outside secure contexts the Clipboard API is missing: copy through a selected textarea.
    function selectForCopy(text, button) {
        var area = el('textarea', 'offscreen');
        area.value = text;
        button.parentNode.appendChild(area);
        area.select();
        try {
            document.execCommand('copy');
        } catch (e) {
            // The text stays selected for a manual copy.
        }
        area.remove();
    }

    // ---- Health ------------------------------------------------------------------------------

    function loadHealth() {
        var pill = $('health-pill');
        return api('/health').then(function (result) {
            var status = (result.data && result.data.status) || 'unknown';
            pill.textContent = status;
            pill.className = 'pill ' + (status === 'healthy' ? 'pill-ok' : 'pill-bad');
            pill.title = 'Database: ' + ((result.data && result.data.database) || 'unknown');
        }, function () {
            pill.textContent = 'unreachable';
            pill.className = 'pill pill-bad';
        });
    }

    // ---- Deployment list ---------------------------------------------------------------------

    function loadDeployments() {
        return api('/api/deployments?limit=100', { key: state.adminKey || undefined }).then(
            function (result) {
                if (result.status === 401 || result.status === 403) {
                    show($('admin-section'), true);
                    showLoadError(describeError(result));
                    return;
                }
                if (!result.ok || !result.data || !Array.isArray(result.data.deployments)) {
                    showLoadError('Could not load deployments: ' + describeError(result));
                    return;
                }
                show($('load-error'), false);
                state.deployments = result.data.deployments;
                renderDeployments();
                refreshSelected();
            },
            function (error) {
                showLoadError('Could not reach the server: ' + error.message);
            });
    }

    function showLoadError(text) {
        $('load-error-text').textContent = text;
        show($('load-error'), true);
    }

    function matchesQuery(deployment) {
        if (!state.query) {
            return true;
        }
        var query = state.query.toLowerCase();
        return String(deployment.name).toLowerCase().indexOf(query) !== -1 ||
            String(deployment.slug).toLowerCase().indexOf(query) !== -1;
    }

    function renderDeployments() {
        var body = $('deployments-body');
        clear(body);
        var visible = state.deployments.filter(matchesQuery);
        visible.forEach(function (deployment) {
            body.appendChild(deploymentRow(deployment));
        });
        var total = state.deployments.length;
        $('list-count').textContent = visible.length === total
            ? total + (total === 1 ? ' workflow' : ' workflows')
            : visible.length + ' of ' + total;
        var empty = $('empty-state');
        if (total === 0) {
            empty.textContent =
                'No workflows deployed yet. Use "Deploy workflow" with an Agent Studio export.';
        } else if (visible.length === 0) {
            empty.textContent = 'No workflow matches the search.';
        }
        show(empty, visible.length === 0);
        show($('deployments-table'), visible.length > 0);
    }

    function deploymentRow(deployment) {
        var row = el('tr');
        row.setAttribute('data-slug', deployment.slug);

        var nameCell = el('td', 'cell-name');
        nameCell.appendChild(el('span', 'workflow-name', deployment.name));
        nameCell.appendChild(el('span', 'workflow-slug', '/' + deployment.slug));
        if (deployment.description) {
            nameCell.appendChild(el('span', 'workflow-description', deployment.description));
        }
        row.appendChild(nameCell);
        row.appendChild(el('td', 'cell-number', deployment.executionCount || 0));
        row.appendChild(el('td', 'cell-number', successRate(deployment)));
        row.appendChild(el('td', 'cell-number', formatDuration(deployment.avgDurationMs)));
        row.appendChild(el('td', 'cell-date', formatDate(deployment.lastExecuted)));

        var actions = el('td', 'cell-actions');
        var open = el('button', 'btn btn-small', 'Open');
        open.type = 'button';
        open.setAttribute('aria-label', 'Open ' + deployment.name);
        open.addEventListener('click', function () {
            openPanel(deployment.slug);
        });
        actions.appendChild(open);
        row.appendChild(actions);
        return row;
    }

    // ---- Deploy ------------------------------------------------------------------------------

    function openDeploy() {
        show($('deploy-section'), true);
        $('deploy-name').focus();
    }

    function closeDeploy() {
        show($('deploy-section'), false);
        $('deploy-form').reset();
        show($('deploy-problems'), false);
    }

    /** The export's own `field` (bare, or inside its `flow`/`workflow` envelope), or ''. */
    function exportField(workflow, field) {
        var candidates = [workflow, workflow && workflow.flow, workflow && workflow.workflow];
        for (var i = 0; i < candidates.length; i++) {
            var value = candidates[i] && candidates[i][field];
            if (typeof value === 'string' && value.trim()) {
                return value.trim();
            }
        }
        return '';
    }

    function onFileChosen() {
        var file = $('deploy-file').files[0];
        if (!file) {
            return;
        }
        file.text().then(function (text) {
            $('deploy-json').value = text;
            var parsed = null;
            try {
                parsed = JSON.parse(text);
            } catch (e) {
                parsed = null;  // reported when deploying
            }
            if (!$('deploy-name').value.trim()) {
                $('deploy-name').value =
                    exportField(parsed, 'name') || file.name.replace(/\.json$/i, '');
            }
            if (!$('deploy-description').value.trim()) {
                $('deploy-description').value = exportField(parsed, 'description');
            }
            show($('deploy-problems'), false);
        }, function (error) {
            showProblems('The file could not be read', [error.message]);
        });
    }

    function showProblems(title, items) {
        $('deploy-problems-title').textContent = title;
        var list = $('deploy-problems-list');
        clear(list);
        (items || []).forEach(function (item) {
            list.appendChild(el('li', null, item));
        });
        show($('deploy-problems'), true);
    }

    function onDeploy(event) {
        event.preventDefault();
        var name = $('deploy-name').value.trim();
        var slug = $('deploy-slug').value.trim();
        var description = $('deploy-description').value.trim();
        var text = $('deploy-json').value.trim();
        var local = [];
        if (!name) {
            local.push('Give the workflow a name.');
        }
        if (slug && !/^[a-z0-9-]+$/.test(slug)) {
            local.push('The slug may contain only lowercase letters, digits and hyphens.');
        }
        var workflow = null;
        if (!text) {
            local.push('Choose a workflow file or paste its JSON.');
        } else {
            try {
                workflow = JSON.parse(text);
            } catch (e) {
                local.push('The workflow is not valid JSON: ' + e.message);
            }
        }
        if (local.length) {
            showProblems('Cannot deploy yet', local);
            return;
        }
        var body = { name: name, workflow: workflow };
        if (slug) {
            body.slug = slug;
        }
        if (description) {
            body.description = description;
        }
        var submit = $('deploy-submit');
        submit.disabled = true;
        submit.textContent = 'Deploying…';
        api('/api/deploy', { method: 'POST', body: body, key: state.adminKey || undefined })
            .then(function (result) {
                if (result.status === 201 && result.data && result.data.deployment) {
                    var deployment = result.data.deployment;
                    closeDeploy();
                    state.sessionKeys[deployment.slug] = deployment.apiKey;
                    revealKey(deployment, result.data.warnings || []);
                    return loadDeployments();
                }
                var data = result.data || {};
                var items = (data.validationErrors || []).slice();
                if (!items.length && data.message) {
                    items.push(data.message);
                }
                (data.warnings || []).forEach(function (warning) {
                    items.push('Warning: ' + warning);
                });
                showProblems(data.error || ('Deploy failed (HTTP ' + result.status + ')'), items);
            }, function (error) {
                showProblems('Could not reach the server', [error.message]);
            })
            .then(function () {
                submit.disabled = false;
                submit.textContent = 'Deploy';
            });
    }

    function revealKey(deployment, warnings) {
        $('key-workflow').textContent = deployment.name;
        $('key-value').textContent = deployment.apiKey;
        $('key-endpoint').textContent = deployment.endpoint;
        var list = $('key-warnings-list');
        clear(list);
        warnings.forEach(function (warning) {
            list.appendChild(el('li', null, warning));
        });
        show($('key-warnings'), warnings.length > 0);
        show($('key-section'), true);
        $('key-section').scrollIntoView({ block: 'nearest' });
    }

    function dismissKey() {
        $('key-value').textContent = '';
        show($('key-section'), false);
    }

    // ---- Workflow panel ----------------------------------------------------------------------

    function findDeployment(slug) {
        for (var i = 0; i < state.deployments.length; i++) {
            if (state.deployments[i].slug === slug) {
                return state.deployments[i];
            }
        }
        return null;
    }

    function openPanel(slug) {
        var deployment = findDeployment(slug);
        if (!deployment) {
            return;
        }
        var changed = !state.selected || state.selected.slug !== slug;
        state.selected = deployment;
        if (changed) {
            resetPanel(deployment);
            loadSchema(deployment);
        }
        fillPanelFacts(deployment);
        show($('panel-backdrop'), true);
        show($('workflow-panel'), true);
        $('panel-close').focus();
        if ($('execute-key').value) {
            loadExecutions();
        }
    }

    function closePanel() {
        show($('workflow-panel'), false);
        show($('panel-backdrop'), false);
    }

    function resetPanel(deployment) {
        $('execute-key').value = state.sessionKeys[deployment.slug] || '';
        $('execute-body').value = '{}';
        show($('execute-result'), false);
        clear($('executions-body'));
        show($('executions-table'), false);
        $('executions-message').textContent =
            'Enter the API key above to see this workflow\'s executions.';
        $('manage-message').textContent = '';
        show($('panel-key'), false);
        $('panel-key-value').textContent = '';
        $('panel-input-schema').textContent = '';
        $('panel-output-schema').textContent = '';
        show($('panel-schema-error'), false);
        disarmDelete();
    }

    function fillPanelFacts(deployment) {
        $('panel-title').textContent = deployment.name;
        $('panel-description').textContent = deployment.description || 'No description';
        $('panel-endpoint').textContent = deployment.endpoint;
        $('panel-docs').href = workflowPath(deployment.slug, '/docs');
        $('panel-schema').href = workflowPath(deployment.slug, '/schema');
        var runs = deployment.executionCount || 0;
        $('panel-stats').textContent = runs === 0 ? 'None yet' :
            runs + (runs === 1 ? ' run' : ' runs') + ' · ' + successRate(deployment) +
            ' succeeded · average ' + formatDuration(deployment.avgDurationMs) + ' · last ' +
            formatDate(deployment.lastExecuted);
        $('panel-created').textContent = formatDate(deployment.createdAt);
    }

    /** Keeps the open panel in step with a reloaded list (or closes it if the workflow left). */
    function refreshSelected() {
        if (!state.selected) {
            return;
        }
        var current = findDeployment(state.selected.slug);
        if (!current) {
            closePanel();
            state.selected = null;
            return;
        }
        state.selected = current;
        fillPanelFacts(current);
    }

    /** The execute operation of a workflow's OpenAPI document (its first POST). */
    function executeOperation(openapi) {
        var paths = (openapi && openapi.paths) || {};
        var names = Object.keys(paths);
        for (var i = 0; i < names.length; i++) {
            if (paths[names[i]] && paths[names[i]].post) {
                return paths[names[i]].post;
            }
        }
        return null;
    }

    function loadSchema(deployment) {
        api(workflowPath(deployment.slug, '/schema')).then(function (result) {
            if (!state.selected || state.selected.slug !== deployment.slug) {
                return;
            }
            var operation = result.ok ? executeOperation(result.data) : null;
            if (!operation) {
                $('panel-schema-error').textContent =
                    'Schema unavailable: ' + describeError(result);
                show($('panel-schema-error'), true);
                return;
            }
            var content = (operation.requestBody && operation.requestBody.content &&
                operation.requestBody.content['application/json']) || {};
            $('panel-input-schema').textContent = pretty(content.schema || {});
            var ok = operation.responses && operation.responses['200'];
            var okSchema = ok && ok.content && ok.content['application/json'] &&
                ok.content['application/json'].schema;
            $('panel-output-schema').textContent =
                pretty((okSchema && okSchema.properties && okSchema.properties.outputs) || {});
            var example = content.examples && content.examples.default &&
                content.examples.default.value;
            if (example !== undefined && $('execute-body').value.trim() === '{}') {
                $('execute-body').value = pretty(example);
            }
        }, function (error) {
            $('panel-schema-error').textContent = 'Schema unavailable: ' + error.message;
            show($('panel-schema-error'), true);
        });
    }

    function currentKey() {
        return $('execute-key').value.trim();
    }

    function onExecute(event) {
        event.preventDefault();
        var deployment = state.selected;
        var key = currentKey();
        var result = $('execute-result');
        var status = $('execute-status');
        var problems = $('execute-problems');
        var output = $('execute-output');
        clear(problems);
        output.textContent = '';
        show(result, true);
        if (!key) {
            status.textContent = 'Enter the workflow\'s API key (clara_sk_…).';
            status.className = 'result-status status-error';
            return;
        }
        var body;
        try {
            body = JSON.parse($('execute-body').value || '{}');
        } catch (e) {
            status.textContent = 'The request body is not valid JSON: ' + e.message;
            status.className = 'result-status status-error';
            return;
        }
        var submit = $('execute-submit');
        submit.disabled = true;
        status.textContent = 'Running…';
        status.className = 'result-status';
        api(workflowPath(deployment.slug, '/execute'), { method: 'POST', body: body, key: key })
            .then(function (response) {
                var data = response.data || {};
                if (response.ok && data.success) {
                    var duration = (data.metadata && data.metadata.duration) || '';
                    status.textContent = 'Success · ' + duration;
                    status.className = 'result-status status-ok';
                    output.textContent = pretty(data.outputs);
                } else {
                    status.textContent = 'Failed · ' + describeError(response);
                    status.className = 'result-status status-error';
                    (data.validationErrors || []).forEach(function (item) {
                        problems.appendChild(el('li', null, item));
                    });
                    if (data.failedNode) {
                        problems.appendChild(el('li', null, 'Failed node: ' + data.failedNode.id +
                            ' (' + data.failedNode.type + ')'));
                    }
                }
                if (response.status !== 401 && response.status !== 403) {
                    loadExecutions();
                    loadDeployments();
                }
            }, function (error) {
                status.textContent = 'Could not reach the server: ' + error.message;
                status.className = 'result-status status-error';
            })
            .then(function () {
                submit.disabled = false;
            });
    }

    function loadExecutions() {
        var deployment = state.selected;
        var key = currentKey();
        var message = $('executions-message');
        if (!deployment) {
            return;
        }
        if (!key) {
            message.textContent = 'Enter the API key above to see this workflow\'s executions.';
            show($('executions-table'), false);
            return;
        }
        var path = workflowPath(deployment.slug, '/executions?limit=20');
        api(path, { key: key }).then(function (result) {
            if (!state.selected || state.selected.slug !== deployment.slug) {
                return;
            }
            if (!result.ok || !result.data) {
                message.textContent = describeError(result);
                show($('executions-table'), false);
                return;
            }
            var executions = result.data.executions || [];
            var body = $('executions-body');
            clear(body);
            executions.forEach(function (execution) {
                body.appendChild(executionRow(execution));
            });
            message.textContent = executions.length ? '' : 'No executions yet.';
            show($('executions-table'), executions.length > 0);
        }, function (error) {
            message.textContent = 'Could not reach the server: ' + error.message;
        });
    }

    function executionRow(execution) {
        var row = el('tr');
        row.setAttribute('data-execution-id', execution.id);
        row.appendChild(el('td', 'cell-date', formatDate(execution.createdAt)));
        var statusCell = el('td');
        var status = String(execution.status);
        statusCell.appendChild(el('span', 'badge badge-' + status, status));
        row.appendChild(statusCell);
        row.appendChild(el('td', 'cell-number', formatDuration(execution.durationMs)));
        var summary = execution.status === 'success'
            ? JSON.stringify(execution.outputs)
            : (execution.error || '');
        row.appendChild(el('td', 'cell-summary', summary));
        return row;
    }

    function onRegenerate() {
        var deployment = state.selected;
        var key = currentKey();
        var message = $('manage-message');
        if (!key) {
            message.textContent = 'Enter the current API key first.';
            return;
        }
        api(workflowPath(deployment.id, '/regenerate-key'), { method: 'POST', key: key })
            .then(function (result) {
                if (!result.ok || !result.data || !result.data.workflow) {
                    message.textContent = describeError(result);
                    return;
                }
                var newKey = result.data.workflow.apiKey;
                state.sessionKeys[deployment.slug] = newKey;
                $('execute-key').value = newKey;
                $('panel-key-value').textContent = newKey;
                show($('panel-key'), true);
                message.textContent = 'Key replaced.';
            }, function (error) {
                message.textContent = 'Could not reach the server: ' + error.message;
            });
    }

    function disarmDelete() {
        state.deleteArmedUntil = 0;
        $('delete-workflow').textContent = 'Delete workflow';
    }

    // Two clicks within a few seconds delete: no modal dialog, no accidental deletion.
    function onDelete() {
        var deployment = state.selected;
        var key = currentKey();
        var message = $('manage-message');
        if (!key) {
            message.textContent = 'Enter the API key first.';
            return;
        }
        if (Date.now() > state.deleteArmedUntil) {
            state.deleteArmedUntil = Date.now() + DELETE_CONFIRM_MS;
            $('delete-workflow').textContent = 'Click again to delete';
            setTimeout(function () {
                if (Date.now() > state.deleteArmedUntil) {
                    disarmDelete();
                }
            }, DELETE_CONFIRM_MS + 100);
            return;
        }
        disarmDelete();
        api(workflowPath(deployment.id), { method: 'DELETE', key: key }).then(function (result) {
            if (!result.ok) {
                message.textContent = describeError(result);
                return;
            }
            delete state.sessionKeys[deployment.slug];
            closePanel();
            state.selected = null;
            loadDeployments();
        }, function (error) {
            message.textContent = 'Could not reach the server: ' + error.message;
        });
    }

    // ---- Wiring ------------------------------------------------------------------------------

    function refreshAll() {
        return Promise.all([loadHealth(), loadDeployments()]);
    }

    function init() {
        $('refresh-button').addEventListener('click', refreshAll);
        $('load-retry').addEventListener('click', refreshAll);
        $('deploy-open').addEventListener('click', openDeploy);
        $('deploy-cancel').addEventListener('click', closeDeploy);
        $('deploy-form').addEventListener('submit', onDeploy);
        $('deploy-file').addEventListener('change', onFileChosen);
        $('key-copy').addEventListener('click', function () {
            copyText($('key-value').textContent, $('key-copy'));
        });
        $('key-dismiss').addEventListener('click', dismissKey);
        $('search').addEventListener('input', function () {
            state.query = $('search').value.trim();
            renderDeployments();
        });
        $('panel-close').addEventListener('click', closePanel);
        $('panel-backdrop').addEventListener('click', closePanel);
        document.addEventListener('keydown', function (event) {
            if (event.key === 'Escape' && !$('workflow-panel').hidden) {
                closePanel();
            }
        });
        $('panel-endpoint-copy').addEventListener('click', function () {
            copyText($('panel-endpoint').textContent, $('panel-endpoint-copy'));
        });
        $('panel-key-copy').addEventListener('click', function () {
            copyText($('panel-key-value').textContent, $('panel-key-copy'));
        });
        $('execute-form').addEventListener('submit', onExecute);
        $('executions-load').addEventListener('click', loadExecutions);
        $('regenerate-key').addEventListener('click', onRegenerate);
        $('delete-workflow').addEventListener('click', onDelete);
        $('admin-form').addEventListener('submit', function (event) {
            event.preventDefault();
            state.adminKey = $('admin-key').value.trim();
            sessionStorage.setItem('clara.adminKey', state.adminKey);
            $('admin-key').value = '';
            show($('admin-section'), false);
            loadDeployments();
        });

        refreshAll();
        setInterval(function () {
            if (!document.hidden) {
                refreshAll();
            }
        }, REFRESH_MS);
    }

    init();
})();
