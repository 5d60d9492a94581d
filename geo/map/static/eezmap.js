/* eezmap's own additions to Leaflet for the standalone map (MIT, written for
 * this project; no third-party code).  Needs Leaflet 1.9 as window.L.
 *
 * Every string this script puts into the page as HTML was HTML-escaped in
 * Python (geo/map/html.py) before it was written into the map; numbers are
 * formatted here.  Nothing here fetches anything.
 *
 * State is per map (several maps on one page do not share it), nothing of
 * Leaflet is patched, and the only global is the function namespace
 * window.eezmap.  This file: the spec format, the per-map state, the layers
 * (groups, the canvas points) and the panels; eezmap-controls.js adds the
 * scale, coordinates, inset, fullscreen and measure controls and the opening view.  Timing is reported with the standard Performance API:
 * marks "eezmap-script" (this file parsed), "eezmap-setup:<map id>",
 * "eezmap-ready:<map id>" (every layer added) and "eezmap-drawn:<map id>"
 * (after the next paint), where <map id> is the map container's id.
 */
(function (window, document) {
  "use strict";
  var L = window.L;
  var RAD = Math.PI / 180;
  var E = {};
  window.performance.mark("eezmap-script");

  /* --- the spec format (written by geo/map/leaflet.py; the TypedDicts there are the same) ---
   *
   * @typedef {Object} Item  one shape of a group
   * @property {"polygon"|"line"|"circle"|"marker"|"label"} type
   * @property {string[][]|string} [geometry]  polygon: [[outer, hole, ...], ...] encoded rings;
   *     line: one encoded line (Google's Encoded Polyline Algorithm Format, lat/lon x scale)
   * @property {number} [scale]  10 ** decimals of the encoded coordinates (default: the group's, or 1e5)
   * @property {number[]} [latlng]  [lat, lon] of a circle, marker or label
   * @property {string} [style]  a key of the group's styles (Leaflet path options)
   * @property {Object} [options]  more Leaflet options of this item
   * @property {string} [popup]  escaped HTML of its popup
   * @property {string} [tooltip]  escaped HTML of its tooltip
   * @property {Object} [tooltipOptions]  Leaflet tooltip options
   * @property {string} [html]  a label's escaped HTML
   * @property {string} [className]  a label's extra CSS class
   * @property {string} [id]  the item's id, kept as the layer's options.itemId
   *
   * @typedef {Object} GroupSpec  one toggleable overlay
   * @property {string} id  kept as the feature group's options.groupId
   * @property {string} [pane]  the pane of its paths
   * @property {Object<string, Object>} [styles]  style name -> Leaflet path options
   * @property {number} [scale]  the default scale of its items
   * @property {string} [attribution]  escaped HTML
   * @property {Item[]} items
   *
   * @typedef {Object} PointsSpec  many points on one canvas
   * @property {number} scale  the coordinates are degrees x scale
   * @property {string} pane
   * @property {string} lat  base64 little-endian int32
   * @property {string} lon  base64 little-endian int32
   * @property {string} classes  base64 uint8: an index into colors and labels per point
   * @property {string[]} colors
   * @property {string[]} labels  escaped HTML
   * @property {number[]} drawOrder  classes in drawing order (last on top)
   * @property {string} title  escaped HTML of the popup heading
   * @property {string} note  escaped HTML
   * @property {string} attribution  escaped HTML
   *
   * @typedef {Object} Projection  the inset's: x = (lon - west) * xScale, y = (north - lat) * yScale
   * @property {number} west
   * @property {number} north
   * @property {number} xScale
   * @property {number} yScale
   * @property {number} width  of the SVG (px)
   * @property {number} height
   *
   * @typedef {Object} InsetSpec  the overview inset
   * @property {string} html  a ready-made SVG with a rect.eezmap-inset-view
   * @property {Projection} projection  equirectangular
   *
   * @typedef {Object} PanelSpec  a panel of ready-made HTML
   * @property {string} position  a Leaflet control corner
   * @property {string} className
   * @property {number} [foldBelow]  folded when the map is narrower than this (px)
   * @property {string} html  escaped HTML; a button.eezmap-toggle folds its .eezmap-body
   */

  // --- per-map state ---------------------------------------------------------------

  var states = new WeakMap();
  function state(map) {
    var s = states.get(map);
    if (!s) {
      s = {measuring: false, pointPicked: false};
      states.set(map, s);
    }
    return s;
  }
  function mark(map, what) {
    window.performance.mark("eezmap-" + what + ":" + map.getContainer().id);
  }

  // A popup that does not open while its map is measuring (a click on a zone is then a
  // measure point) nor when the click picked one of the canvas points.
  var GuardedPopup = L.Popup.extend({
    openOn: function (map) {
      var s = state(map);
      if (s.measuring || s.pointPicked) { return this; }
      return L.Popup.prototype.openOn.call(this, map);
    }
  });

  // --- compact geometry --------------------------------------------------------
  // Rings and lines are stored in Google's Encoded Polyline Algorithm Format
  // (zig-zag deltas of lat, lon scaled by k, in 5-bit chunks + 63).

  function decode(s, k) {
    var out = [], i = 0, n = s.length, lat = 0, lon = 0, b, r, sh;
    while (i < n) {
      r = 0; sh = 0;
      do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
      lat += (r & 1) ? ~(r >> 1) : (r >> 1);
      r = 0; sh = 0;
      do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << sh; sh += 5; } while (b >= 32);
      lon += (r & 1) ? ~(r >> 1) : (r >> 1);
      out.push([lat / k, lon / k]);
    }
    return out;
  }
  E.decode = decode;

  // a MultiPolygon: [[outer, hole, ...], ...] of encoded rings
  function multi(g, k) {
    return g.map(function (poly) {
      return poly.map(function (ring) { return decode(ring, k); });
    });
  }

  function bytes(b64) {
    var bin = window.atob(b64), n = bin.length, u8 = new Uint8Array(n);
    for (var i = 0; i < n; i++) { u8[i] = bin.charCodeAt(i); }
    return u8;
  }
  // little-endian int32 arrays written by numpy ('<i4')
  function int32(b64) {
    var u8 = bytes(b64), dv = new DataView(u8.buffer), n = u8.length >> 2, out = new Int32Array(n);
    for (var i = 0; i < n; i++) { out[i] = dv.getInt32(4 * i, true); }
    return out;
  }

  function fmt(x, d) {
    return x.toLocaleString("en-GB", {minimumFractionDigits: d, maximumFractionDigits: d});
  }

  // --- setup ---------------------------------------------------------------------

  // Leaflet looks for its default marker image next to leaflet.css, which an
  // inlined stylesheet does not have: give it the images as data: URIs.
  E.icons = function (images) {
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions({
      iconUrl: images["marker-icon.png"],
      iconRetinaUrl: images["marker-icon-2x.png"],
      shadowUrl: images["marker-shadow.png"]
    });
  };

  // panes inside the overlay pane, drawn in the given order whatever is toggled
  E.panes = function (map, names) {
    mark(map, "setup");
    var parent = map.getPane("overlayPane");
    names.forEach(function (name, i) {
      var pane = map.getPane(name) || map.createPane(name, parent);
      pane.style.zIndex = String(i + 1);
    });
  };

  // --- layers --------------------------------------------------------------------

  /** @param {Item} it  @param {GroupSpec} spec */
  function item(it, spec) {
    var o = L.extend({}, (spec.styles && spec.styles[it.style]) || {}, it.options || {});
    var k = it.scale || spec.scale || 1e5, layer;
    if (spec.pane && !o.pane && it.type !== "marker" && it.type !== "label") { o.pane = spec.pane; }
    if (it.id) { o.itemId = it.id; }
    switch (it.type) {
      case "polygon": layer = L.polygon(multi(it.geometry, k), o); break;
      case "line": layer = L.polyline(decode(it.geometry, k), o); break;
      case "circle": layer = L.circleMarker(it.latlng, o); break;
      case "marker": layer = L.marker(it.latlng, o); break;
      case "label":
        layer = L.marker(it.latlng, L.extend({
          icon: L.divIcon({className: "eezmap-label " + (it.className || ""), html: it.html, iconSize: null}),
          interactive: false, keyboard: false
        }, o));
        break;
      default: return null;
    }
    if (it.popup) {
      layer.bindPopup(new GuardedPopup({maxWidth: 380, maxHeight: 360, autoPanPadding: [40, 40]}).setContent(it.popup));
    }
    if (it.tooltip) { layer.bindTooltip(it.tooltip, L.extend({}, it.tooltipOptions || {})); }
    return layer;
  }

  /** A feature group of polygons, lines, markers and labels.  @param {L.Map} map  @param {GroupSpec} spec */
  E.group = function (map, spec) {
    var o = {groupId: spec.id};
    if (spec.attribution) { o.attribution = spec.attribution; }
    var g = L.featureGroup([], o);
    (spec.items || []).forEach(function (it) {
      var layer = item(it, spec);
      if (layer) { g.addLayer(layer); }
    });
    return g;
  };

  /** Many points (AIS pings...) on one canvas, drawn in a loop: no Leaflet object
   * per point, so 300,000 stay smooth.  @param {L.Map} map  @param {PointsSpec} spec */
  E.points = function (map, spec) {
    var k = spec.scale, lat = int32(spec.lat), lon = int32(spec.lon), cls = bytes(spec.classes);
    var n = lat.length, X = new Float64Array(n), Y = new Float64Array(n), i;
    var maxLat = 85.0511287798;
    for (i = 0; i < n; i++) {  // EPSG:3857 pixel coordinates at zoom 0 (as Leaflet projects)
      var la = Math.max(-maxLat, Math.min(maxLat, lat[i] / k)), s = Math.sin(la * RAD);
      X[i] = 256 * (0.5 + lon[i] / k / 360);
      Y[i] = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
    }
    // draw order: by class (the answer that matters most is drawn last, on top)
    var order = new Uint32Array(n), pos = 0;
    spec.drawOrder.forEach(function (c) {
      for (var j = 0; j < n; j++) { if (cls[j] === c) { order[pos++] = j; } }
    });
    var Layer = L.Layer.extend({
      options: {pane: spec.pane || "overlayPane", attribution: spec.attribution || null},
      count: n,     // points in the layer
      drawn: 0,     // points inside the view at the last draw
      onAdd: function (m) {
        this._canvas = L.DomUtil.create("canvas", "eezmap-points leaflet-zoom-hide");
        this.getPane().appendChild(this._canvas);
        m.on("moveend zoomend resize viewreset", this.redraw, this);
        // 'preclick' reaches the map even over a zone whose popup stops the 'click'
        m.on("preclick", this._click, this);
        this.redraw();
      },
      onRemove: function (m) {
        L.DomUtil.remove(this._canvas);
        m.off("moveend zoomend resize viewreset", this.redraw, this);
        m.off("preclick", this._click, this);
      },
      _frame: function () {
        var m = this._map, tl = m.containerPointToLayerPoint([0, 0]), o = m.getPixelOrigin();
        return {s: Math.pow(2, m.getZoom()), ox: o.x + tl.x, oy: o.y + tl.y, tl: tl};
      },
      redraw: function () {
        var m = this._map, size = m.getSize();
        var dpr = window.devicePixelRatio || 1, c = this._canvas, f = this._frame();
        L.DomUtil.setPosition(c, f.tl);
        c.width = Math.round(size.x * dpr); c.height = Math.round(size.y * dpr);
        c.style.width = size.x + "px"; c.style.height = size.y + "px";
        var ctx = c.getContext("2d");
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.clearRect(0, 0, size.x, size.y);
        var r = n > 50000 ? 1.5 : 3, arcs = n <= 50000, drawn = 0, cur = -1, j, x, y, q;
        ctx.globalAlpha = 0.85;
        for (j = 0; j < n; j++) {
          q = order[j];
          if (cls[q] !== cur) {
            if (cur >= 0) { ctx.fill(); }
            cur = cls[q]; ctx.fillStyle = spec.colors[cur]; ctx.beginPath();
          }
          x = X[q] * f.s - f.ox; y = Y[q] * f.s - f.oy;
          if (x < -r || y < -r || x > size.x + r || y > size.y + r) { continue; }
          if (arcs) { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); } else { ctx.rect(x - r, y - r, 2 * r, 2 * r); }
          drawn++;
        }
        if (cur >= 0) { ctx.fill(); }
        this.drawn = drawn;
        return this;
      },
      _click: function (e) {
        var m = this._map, st = state(m);
        if (st.measuring) { return; }
        var f = this._frame(), px = e.containerPoint.x, py = e.containerPoint.y, best = -1, bd = 64, d, dx, dy;
        for (var q = 0; q < n; q++) {
          dx = X[q] * f.s - f.ox - px; if (dx > 8 || dx < -8) { continue; }
          dy = Y[q] * f.s - f.oy - py; d = dx * dx + dy * dy;
          if (d <= bd) { bd = d; best = q; }
        }
        if (best < 0) { return; }
        var la = lat[best] / k, lo = lon[best] / k;
        st.pointPicked = true;  // this click is for the point, not for the zone under it
        window.setTimeout(function () {
          st.pointPicked = false;
          L.popup({maxWidth: 320}).setLatLng([la, lo]).setContent(
          "<div class=\"eezmap-popup\"><h4>" + spec.title + " #" + (best + 1) + "</h4>" +
          "<table><tr><th>Position</th><td>" + fmt(la, 5) + ", " + fmt(lo, 5) + "</td></tr>" +
          "<tr><th>Answer</th><td>" + spec.labels[cls[best]] + "</td></tr></table>" +
          "<p class=\"eezmap-src\">" + spec.note + "</p></div>").openOn(m);
        }, 0);
      }
    });
    return new Layer();
  };

  // --- controls ------------------------------------------------------------------

  /** A panel of ready-made (escaped) HTML; a .eezmap-toggle button folds its body.
   * @param {L.Map} map  @param {PanelSpec} opts */
  E.panel = function (map, opts) {
    var Panel = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "eezmap-panel " + (opts.className || ""));
        div.innerHTML = opts.html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var btn = div.querySelector(".eezmap-toggle");
        function fold(folded) {
          div.classList.toggle("eezmap-folded", folded);
          btn.setAttribute("aria-expanded", folded ? "false" : "true");
          btn.textContent = folded ? "+" : "\u2212";
        }
        if (btn) {
          L.DomEvent.on(btn, "click", function () { fold(!div.classList.contains("eezmap-folded")); });
          if (opts.foldBelow && map.getSize().x < opts.foldBelow) { fold(true); }
        }
        return div;
      }
    });
    return new Panel({position: opts.position || "topright"}).addTo(map);
  };

  // a metric and a nautical-mile scale bar
  // shared with eezmap-controls.js (loaded after this file): the per-map state, the marks, numbers
  E.state = state;
  E.mark = mark;
  E.fmt = fmt;

  window.eezmap = E;
})(window, document);
