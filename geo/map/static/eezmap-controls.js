/* eezmap's map controls for the standalone map (MIT, written for this project; no
 * third-party code): the scale bars, the cursor's coordinates, the overview inset,
 * fullscreen, the measure tool, the panels' layout and the opening view.  Needs
 * Leaflet 1.9 as window.L and eezmap.js (loaded before this file) as window.eezmap.
 */
(function (window, document) {
  "use strict";
  var L = window.L, E = window.eezmap;
  var RAD = Math.PI / 180;
  var state = E.state, mark = E.mark, fmt = E.fmt;

  // --- geodesy for the measure tool ------------------------------------------------
  // The only geodesy in the browser: the measure tool's points are wherever the
  // user clicks, so they cannot be computed in Python beforehand (every distance
  // the map states is, with pyproj).  Vincenty's inverse formula on the WGS84
  // ellipsoid (well under a metre from Karney's geodesics); the haversine on a
  // sphere of 6,371,008.8 m is the fallback for nearly antipodal points, where
  // Vincenty's iteration does not converge.

  function haversine(p, q) {
    var dlat = (q[0] - p[0]) * RAD, dlon = (q[1] - p[1]) * RAD;
    var h = Math.pow(Math.sin(dlat / 2), 2) +
      Math.cos(p[0] * RAD) * Math.cos(q[0] * RAD) * Math.pow(Math.sin(dlon / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function vincenty(p, q) {
    var a = 6378137, f = 1 / 298.257223563, b = a * (1 - f);
    var dl = (q[1] - p[1]) % 360;
    if (dl > 180) { dl -= 360; } else if (dl < -180) { dl += 360; }
    var L0 = dl * RAD;
    var U1 = Math.atan((1 - f) * Math.tan(p[0] * RAD)), U2 = Math.atan((1 - f) * Math.tan(q[0] * RAD));
    var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
    var lambda = L0, prev, iter = 0, sinL, cosL, sinS, cosS, sigma, sinA, cos2A, cos2Sm, C;
    do {
      sinL = Math.sin(lambda); cosL = Math.cos(lambda);
      var t1 = cosU2 * sinL, t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosL;
      sinS = Math.sqrt(t1 * t1 + t2 * t2);
      if (sinS === 0) { return 0; }
      cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
      sigma = Math.atan2(sinS, cosS);
      sinA = cosU1 * cosU2 * sinL / sinS;
      cos2A = 1 - sinA * sinA;
      cos2Sm = cos2A !== 0 ? cosS - 2 * sinU1 * sinU2 / cos2A : 0;
      C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
      prev = lambda;
      lambda = L0 + (1 - C) * f * sinA * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
    } while (Math.abs(lambda - prev) > 1e-12 && ++iter < 200);
    if (iter >= 200) { return haversine(p, q); }
    var u2 = cos2A * (a * a - b * b) / (b * b);
    var A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = B * sinS * (cos2Sm + B / 4 * (cosS * (-1 + 2 * cos2Sm * cos2Sm) -
      B / 6 * cos2Sm * (-3 + 4 * sinS * sinS) * (-3 + 4 * cos2Sm * cos2Sm)));
    return b * A * (sigma - dS);
  }

  // points along the great circle from p to q (spherical), for drawing only
  function greatCircle(p, q, n) {
    var la1 = p[0] * RAD, lo1 = p[1] * RAD, la2 = q[0] * RAD, lo2 = q[1] * RAD;
    var d = 2 * Math.asin(Math.min(1, Math.sqrt(Math.pow(Math.sin((la2 - la1) / 2), 2) +
      Math.cos(la1) * Math.cos(la2) * Math.pow(Math.sin((lo2 - lo1) / 2), 2))));
    if (d < 1e-9 || Math.abs(d - Math.PI) < 1e-9) { return [p, q]; }
    var out = [], i;
    for (i = 0; i <= n; i++) {
      var t = i / n, A = Math.sin((1 - t) * d) / Math.sin(d), B = Math.sin(t * d) / Math.sin(d);
      var x = A * Math.cos(la1) * Math.cos(lo1) + B * Math.cos(la2) * Math.cos(lo2);
      var y = A * Math.cos(la1) * Math.sin(lo1) + B * Math.cos(la2) * Math.sin(lo2);
      var z = A * Math.sin(la1) + B * Math.sin(la2);
      out.push([Math.atan2(z, Math.sqrt(x * x + y * y)) / RAD, Math.atan2(y, x) / RAD]);
    }
    out[0][1] = p[1];
    for (i = 1; i < out.length; i++) {  // keep longitudes continuous with the first point
      while (out[i][1] - out[i - 1][1] > 180) { out[i][1] -= 360; }
      while (out[i][1] - out[i - 1][1] < -180) { out[i][1] += 360; }
    }
    return out;
  }

  function dms(v, pos, neg) {
    var h = v < 0 ? neg : pos, a = Math.abs(v), d = Math.floor(a), m = Math.floor((a - d) * 60);
    var s = Math.round(((a - d) * 60 - m) * 60);
    if (s === 60) { s = 0; m += 1; }
    if (m === 60) { m = 0; d += 1; }
    return d + "\u00b0" + (m < 10 ? "0" : "") + m + "\u2032" + (s < 10 ? "0" : "") + s + "\u2033" + h;
  }
  // the cursor may be on a copy of the world east or west of the first: name its longitude in -180..180
  function wrapLon(lon) { return ((lon + 180) % 360 + 360) % 360 - 180; }

  // --- controls ------------------------------------------------------------------

  E.scale = function (map) {
    function round(x) {
      var p = Math.pow(10, Math.floor(Math.log(x) / Math.LN10)), d = x / p;
      return p * (d >= 10 ? 10 : d >= 5 ? 5 : d >= 3 ? 3 : d >= 2 ? 2 : 1);
    }
    var Scale = L.Control.Scale.extend({
      _addScales: function (options, className, container) {
        L.Control.Scale.prototype._addScales.call(this, options, className, container);
        this._nScale = L.DomUtil.create("div", className, container);
      },
      _updateScales: function (maxMeters) {
        L.Control.Scale.prototype._updateScales.call(this, maxMeters);
        if (!maxMeters) { return; }
        var maxNm = maxMeters / 1852, nm = round(maxNm);
        this._updateScale(this._nScale, (nm < 1 ? nm.toPrecision(1) : nm) + " NM", nm / maxNm);
      }
    });
    return new Scale({metric: true, imperial: false, maxWidth: 150, position: "bottomleft"}).addTo(map);
  };

  // the cursor's coordinates, decimal and degrees-minutes-seconds
  E.coords = function (map) {
    var Coords = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "eezmap-panel eezmap-coords");
        div.textContent = "Move the cursor over the map for its coordinates";
        map.on("mousemove", function (e) {
          var la = e.latlng.lat, lo = wrapLon(e.latlng.lng);
          div.textContent = fmt(Math.abs(la), 5) + "\u00b0" + (la < 0 ? "S" : "N") + ", " +
            fmt(Math.abs(lo), 5) + "\u00b0" + (lo < 0 ? "W" : "E") + "  (" + dms(la, "N", "S") + " " +
            dms(lo, "E", "W") + ")";
        });
        return div;
      }
    });
    return new Coords({position: "bottomleft"}).addTo(map);
  };

  /** The overview inset: a ready-made SVG whose rectangle follows the map's view.
   * @param {L.Map} map  @param {InsetSpec} opts */
  E.inset = function (map, opts) {
    var Inset = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "eezmap-panel eezmap-inset");
        div.innerHTML = opts.html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var ctl = new Inset({position: "bottomleft"}).addTo(map), p = opts.projection;
    var rect = ctl.getContainer().querySelector(".eezmap-inset-view");
    function clamp(v, hi) { return Math.max(-2, Math.min(hi + 2, v)); }
    function update() {
      var b = map.getBounds();
      var x0 = clamp((b.getWest() - p.west) * p.xScale, p.width);
      var x1 = clamp((b.getEast() - p.west) * p.xScale, p.width);
      var y0 = clamp((p.north - b.getNorth()) * p.yScale, p.height);
      var y1 = clamp((p.north - b.getSouth()) * p.yScale, p.height);
      rect.setAttribute("x", x0.toFixed(1)); rect.setAttribute("y", y0.toFixed(1));
      rect.setAttribute("width", Math.max(2, x1 - x0).toFixed(1));
      rect.setAttribute("height", Math.max(2, y1 - y0).toFixed(1));
    }
    map.on("moveend zoomend resize", update);
    update();
    return ctl;
  };

  function button(container, html, title, onClick) {
    var a = L.DomUtil.create("a", "", container);
    a.href = "#";
    a.innerHTML = html;
    a.title = title;
    a.setAttribute("role", "button");
    a.setAttribute("aria-label", title);
    L.DomEvent.disableClickPropagation(a);
    L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); onClick(a); });
    return a;
  }

  var ICON_FULL = "<svg viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\"><path d=\"M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/></svg>";
  var ICON_RULER = "<svg viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\"><path d=\"M1 11 11 1l4 4L5 15z\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.6\"/><path d=\"M4 8l2 2M6.5 5.5l1.5 1.5M9 3l2 2\" stroke=\"currentColor\" stroke-width=\"1.4\"/></svg>";

  // fullscreen: the browser's Fullscreen API, or a fixed full-window fallback
  E.fullscreen = function (map) {
    var el = map.getContainer();
    var Full = L.Control.extend({
      onAdd: function () {
        var bar = L.DomUtil.create("div", "leaflet-bar eezmap-buttons");
        button(bar, ICON_FULL, "Full screen (toggle)", function () {
          if (document.fullscreenElement) { document.exitFullscreen(); return; }
          if (el.requestFullscreen && !L.DomUtil.hasClass(el, "eezmap-fullwindow")) {
            el.requestFullscreen().catch(function () { L.DomUtil.addClass(el, "eezmap-fullwindow"); map.invalidateSize(); });
          } else {
            L.DomUtil[L.DomUtil.hasClass(el, "eezmap-fullwindow") ? "removeClass" : "addClass"](el, "eezmap-fullwindow");
            map.invalidateSize();
          }
        });
        document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
        return bar;
      }
    });
    return new Full({position: "topleft"}).addTo(map);
  };

  // measure: click points; the total is the sum of WGS84 geodesics (Vincenty, above).
  // While it measures, the map's container has the class eezmap-measuring and the
  // result box shows the total in a <data value="metres"> element.
  E.measure = function (map) {
    var st = state(map), pts = [], group = L.layerGroup(), box, btn, dblZoom = map.doubleClickZoom.enabled();
    function km(m) { return fmt(m / 1000, m < 10000 ? 2 : 1) + " km"; }
    function nm(m) { return fmt(m / 1852, m < 18520 ? 2 : 1) + " NM"; }
    function redraw() {
      group.clearLayers();
      var total = 0, i, line = [];
      for (i = 0; i < pts.length; i++) {
        if (i > 0) {
          total += vincenty(pts[i - 1], pts[i]);
          var seg = greatCircle(pts[i - 1], pts[i], 48);
          if (line.length) { seg.shift(); }
          line = line.concat(seg);
        }
        L.circleMarker(pts[i], {radius: 4, color: "#111", weight: 2, fillColor: "#ffd60a", fillOpacity: 1,
          interactive: false, pane: "eezmapMeasure"}).addTo(group);
      }
      if (line.length) {
        L.polyline(line, {color: "#111", weight: 2.5, dashArray: "2 6", lineCap: "round", interactive: false,
          pane: "eezmapMeasure"}).addTo(group);
      }
      box.innerHTML = pts.length < 2
        ? "<strong>Measure</strong>: click points on the map; double-click or the ruler again to finish. Esc clears."
        : "<strong><data value=\"" + total.toFixed(3) + "\">" + km(total) + "</data></strong> = <strong>" +
          nm(total) + "</strong><br><span class=\"eezmap-src\">" + (pts.length - 1) + " segment" +
          (pts.length > 2 ? "s" : "") + "; geodesic on WGS84 (Vincenty); drawn as great circles.</span>";
    }
    function click(e) {
      var p = [e.latlng.lat, e.latlng.lng], last = pts[pts.length - 1];
      if (last && last[0] === p[0] && last[1] === p[1]) { return; }  // the 2nd click of a double-click
      pts.push(p); redraw();
    }
    function key(e) { if (e.originalEvent.key === "Escape") { pts = []; redraw(); } }
    function start() {
      st.measuring = true; pts = []; group.addTo(map);
      L.DomUtil.addClass(map.getContainer(), "eezmap-measuring");
      L.DomUtil.addClass(btn, "eezmap-active");
      btn.setAttribute("aria-pressed", "true");
      map.closePopup();
      // 'preclick' reaches the map even over a layer whose popup stops the 'click'
      map.on("preclick", click); map.on("keydown", key); map.on("dblclick", finish);
      if (dblZoom) { map.doubleClickZoom.disable(); }
      box.style.display = "block"; redraw();
    }
    function finish() {
      st.measuring = false;
      L.DomUtil.removeClass(map.getContainer(), "eezmap-measuring");
      L.DomUtil.removeClass(btn, "eezmap-active");
      btn.setAttribute("aria-pressed", "false");
      map.off("preclick", click); map.off("keydown", key); map.off("dblclick", finish);
      if (dblZoom) { window.setTimeout(function () { map.doubleClickZoom.enable(); }, 0); }
    }
    var Measure = L.Control.extend({
      onAdd: function () {
        var wrap = L.DomUtil.create("div", "eezmap-measure");
        var bar = L.DomUtil.create("div", "leaflet-bar eezmap-buttons", wrap);
        box = L.DomUtil.create("div", "eezmap-panel eezmap-measure-box", wrap);
        box.style.display = "none";
        box.setAttribute("aria-live", "polite");
        L.DomEvent.disableClickPropagation(box);
        btn = button(bar, ICON_RULER, "Measure a geodesic distance (km and NM)", function () {
          if (st.measuring) { finish(); if (pts.length < 2) { group.clearLayers(); box.style.display = "none"; } }
          else { start(); }
        });
        btn.setAttribute("aria-pressed", "false");
        return wrap;
      }
    });
    return new Measure({position: "topleft"}).addTo(map);
  };

  // the panels on the right share the height: the legend keeps its natural height up
  // to 55 %, the title panel gets what is left above it; each scrolls inside itself
  function layout(map) {
    var c = map.getContainer(), H = c.clientHeight;
    var legend = c.querySelector(".eezmap-legend"), title = c.querySelector(".eezmap-title");
    var lb = legend && legend.querySelector(".eezmap-body"), tb = title && title.querySelector(".eezmap-body");
    if (lb) { lb.style.maxHeight = Math.max(80, Math.round(H * 0.55) - 50) + "px"; }
    if (tb) {
      tb.style.maxHeight = "none";
      var bottom = legend ? legend.getBoundingClientRect().top - 10 : c.getBoundingClientRect().bottom - 40;
      var pad = title.getBoundingClientRect().bottom - tb.getBoundingClientRect().bottom;
      tb.style.maxHeight = Math.max(80, Math.floor(bottom - pad - tb.getBoundingClientRect().top)) + "px";
    }
  }

  // open on the region, clear of the panels on the right when there is room for that
  E.fit = function (map, bounds) {
    layout(map);
    map.on("resize", function () { layout(map); });
    var size = map.getSize(), right = 20;
    var panels = map.getContainer().querySelectorAll(".leaflet-right .eezmap-panel");
    for (var i = 0; i < panels.length; i++) {
      if (!panels[i].classList.contains("eezmap-folded")) { right = Math.max(right, panels[i].offsetWidth + 30); }
    }
    if (size.x - right < 420) { right = 20; }
    // clear of the attribution lines at the bottom too (filled only when the layers are added, later)
    var bottom = size.y >= 700 ? 56 : 24;
    map.fitBounds(bounds, {animate: false, paddingTopLeft: [56, 24], paddingBottomRight: [right, bottom]});
  };

  // every layer has been added: the layer control to the top of its corner, and the marks
  E.ready = function (map) {
    // the layer control (added last, after its layers) goes to the top of its corner
    var lc = map.getContainer().querySelector(".leaflet-top.leaflet-right > .leaflet-control-layers");
    if (lc && lc.parentNode.firstChild !== lc) {
      lc.parentNode.insertBefore(lc, lc.parentNode.firstChild);
      layout(map);
    }
    mark(map, "ready");
    window.requestAnimationFrame(function () {
      window.requestAnimationFrame(function () { mark(map, "drawn"); });
    });
  };

})(window, document);
