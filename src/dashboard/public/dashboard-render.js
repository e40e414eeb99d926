// The dashboard's rendering helpers, loaded before dashboard.js (index.html): functions of their arguments
// alone, holding no state of the page. Like dashboard.js, they set every value with textContent or
// setAttribute and never parse markup, so whatever a record holds can only ever be text.
/* exported AutoseoRender */
'use strict';

const AutoseoRender = (function () {
  const SVG = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);

  function setText(id, value) {
    $(id).textContent = value === null || value === undefined || value === '' ? '-' : String(value);
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '-' : String(text);
    if (className) td.className = className;
    return td;
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined) return '-';
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return seconds + ' s';
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min ' + (seconds % 60) + ' s';
    return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
  }

  function formatDate(iso) {
    return iso ? new Date(iso).toLocaleString() : '-';
  }

  // A bar chart built with DOM calls on SVG elements: no chart library, no markup strings. Answers the chart and
  // the day's totals.
  function timelineChart(hours) {
    const width = 480;
    const height = 150;
    const bottom = 130;
    const slot = width / hours.length;
    const highest = Math.max(1, ...hours.map((hour) => Math.max(hour.processed, hour.failed)));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'processed and failed per hour');
    const line = document.createElementNS(SVG, 'line');
    for (const [name, value] of [
      ['x1', 0],
      ['x2', width],
      ['y1', bottom],
      ['y2', bottom],
      ['class', 'axis'],
    ])
      line.setAttribute(name, value);
    svg.append(line);
    let processed = 0;
    let failed = 0;
    hours.forEach((hour, index) => {
      processed += hour.processed;
      failed += hour.failed;
      const x = index * slot;
      for (const [kind, count, offset] of [
        ['processed', hour.processed, 1],
        ['failed', hour.failed, slot / 2],
      ]) {
        if (count === 0) continue;
        const bar = document.createElementNS(SVG, 'rect');
        const barHeight = Math.max(2, ((bottom - 10) * count) / highest);
        bar.setAttribute('x', x + offset);
        bar.setAttribute('y', bottom - barHeight);
        bar.setAttribute('width', slot / 2 - 1);
        bar.setAttribute('height', barHeight);
        bar.setAttribute('class', kind);
        bar.dataset.hour = hour.start;
        bar.dataset.count = count;
        const title = document.createElementNS(SVG, 'title');
        title.textContent = new Date(hour.start).toLocaleString() + ': ' + count + ' ' + kind;
        bar.append(title);
        svg.append(bar);
      }
      if (index % 6 === 0 || index === hours.length - 1) {
        const label = document.createElementNS(SVG, 'text');
        label.setAttribute('x', x);
        label.setAttribute('y', height - 4);
        label.textContent = new Date(hour.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        svg.append(label);
      }
    });
    return { svg, processed, failed };
  }

  return Object.freeze({ $, setText, cell, formatDuration, formatDate, timelineChart });
})();
