// hush HTML report: sorting, filters and a search box over the table the page
// already holds. It reads the rows once, then filters by toggling `hidden` in
// one pass and sorts by moving rows; it never writes markup (only text and
// attributes), and attaches its own listeners: the page's policy forbids
// inline handlers. The filter lives in the URL fragment too
// (`#severity=high&rule=github-pat&q=deploy`), so a filtered view can be shared.
(function () {
  'use strict';
  var table = document.getElementById('findings');
  var form = document.getElementById('filters');
  if (!table || !form) {
    return;
  }
  var output = document.getElementById('shown');
  var body = table.tBodies[0];
  var FILTERS = ['severity', 'confidence', 'rule', 'status', 'path', 'q'];
  var SEVERITY = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };
  var CONFIDENCE = { high: 3, medium: 2, low: 1 };
  // Column of the status cell: severity, confidence, rule, secret, status.
  var STATUS = 4;

  var items = Array.prototype.map.call(body.rows, function (row, index) {
    var cells = row.cells;
    return {
      row: row,
      index: index,
      severity: Number(cells[0].getAttribute('data-key')),
      confidence: Number(cells[1].getAttribute('data-key')),
      rule: cells[2].getAttribute('data-key'),
      status: cells[STATUS].getAttribute('data-key'),
      paths: Array.prototype.map.call(row.querySelectorAll('code.path'), function (c) {
        return c.textContent;
      }),
      text: null
    };
  });

  function filterValues() {
    var values = {};
    FILTERS.forEach(function (name) {
      values[name] = form.elements[name].value;
    });
    return values;
  }

  function startsWithAny(paths, prefix) {
    for (var i = 0; i < paths.length; i++) {
      if (paths[i].lastIndexOf(prefix, 0) === 0) {
        return true;
      }
    }
    return false;
  }

  function apply() {
    var f = filterValues();
    var minSeverity = SEVERITY[f.severity] || 0;
    var minConfidence = CONFIDENCE[f.confidence] || 0;
    var query = f.q.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (item) {
      if (query && item.text === null) {
        item.text = item.row.textContent.toLowerCase();
      }
      var match = item.severity >= minSeverity &&
        item.confidence >= minConfidence &&
        (!f.rule || item.rule === f.rule) &&
        (!f.status || item.status === f.status) &&
        (!f.path || startsWithAny(item.paths, f.path)) &&
        (!query || item.text.indexOf(query) !== -1);
      if (item.row.hidden === match) {
        item.row.hidden = !match;
      }
      if (match) {
        shown++;
      }
    });
    output.textContent = shown + ' of ' + items.length + ' shown';
  }

  // Sorting: by the cell's data-key, else its text; numbers as numbers; ties
  // keep the report's order.
  var sorted = { column: -1, descending: false };
  function sortBy(column, descending) {
    var header = table.tHead.rows[0].cells[column];
    if (!header) {
      return;
    }
    var numeric = header.getAttribute('data-sort') === 'number';
    var keyed = items.map(function (item) {
      var cell = item.row.cells[column];
      var key = cell.hasAttribute('data-key') ? cell.getAttribute('data-key') : cell.textContent;
      return { item: item, key: numeric ? Number(key) : key.toLowerCase() };
    });
    keyed.sort(function (a, b) {
      var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      return (descending ? -order : order) || a.item.index - b.item.index;
    });
    var rows = document.createDocumentFragment();
    items = keyed.map(function (k) {
      rows.appendChild(k.item.row);
      return k.item;
    });
    body.appendChild(rows);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      if (i === column) {
        th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      } else {
        th.removeAttribute('aria-sort');
      }
    });
    sorted = { column: column, descending: descending };
  }

  // The fragment: only one holding `name=value` pairs is a filter (`#rule-x`
  // is a link to the rule table).
  function readFragment() {
    var hash = window.location.hash.slice(1);
    if (hash.indexOf('=') === -1) {
      return false;
    }
    var params = new URLSearchParams(hash);
    FILTERS.forEach(function (name) {
      form.elements[name].value = params.get(name) || '';
    });
    var sort = params.get('sort');
    if (sort !== null && /^[0-9]+$/.test(sort)) {
      sortBy(Number(sort), params.get('order') === 'desc');
    }
    return true;
  }

  function writeFragment() {
    var params = new URLSearchParams();
    var f = filterValues();
    FILTERS.forEach(function (name) {
      if (f[name]) {
        params.set(name, f[name]);
      }
    });
    if (sorted.column >= 0) {
      params.set('sort', String(sorted.column));
      params.set('order', sorted.descending ? 'desc' : 'asc');
    }
    var text = params.toString();
    try {
      window.history.replaceState(null, '', text ? '#' + text : window.location.pathname + window.location.search);
    } catch (e) {
      // Some browsers refuse history changes on file: pages; the view still works.
    }
  }

  var pending = 0;
  function changed(delay) {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      apply();
      writeFragment();
    }, delay);
  }

  form.addEventListener('change', function () {
    changed(0);
  });
  form.addEventListener('input', function (event) {
    changed(event.target.tagName === 'SELECT' ? 0 : 120);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.tabIndex = 0;
    function toggle() {
      sortBy(column, sorted.column === column ? !sorted.descending : numericFirstDescending(th));
      writeFragment();
    }
    th.addEventListener('click', toggle);
    th.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle();
      }
    });
  });
  // Severity, confidence and counts sort most first on the first click.
  function numericFirstDescending(th) {
    return th.getAttribute('data-sort') === 'number';
  }
  window.addEventListener('hashchange', function () {
    if (readFragment()) {
      apply();
    }
  });

  form.hidden = false;
  readFragment();
  apply();
}());
