import { describe, expect, it } from 'vitest';
import { arcPath, barSegments, countTicks, linearScale, niceMax, ticks } from './scale';

describe('niceMax', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(-3)).toBe(1);
    expect(niceMax(0.7)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(13)).toBe(20);
    expect(niceMax(23)).toBe(25);
    expect(niceMax(41)).toBe(50);
    expect(niceMax(100)).toBe(100);
    expect(niceMax(100_001)).toBe(200_000);
  });
});

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges included (SVG y grows down)', () => {
    const y = linearScale([0, 50], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(25)).toBe(50);
    expect(y(50)).toBe(0);
  });

  it('maps a zero-width domain to the start of the range', () => {
    expect(linearScale([3, 3], [10, 20])(3)).toBe(10);
  });
});

describe('ticks', () => {
  it('spaces count + 1 ticks from 0 to max', () => {
    expect(ticks(100, 4)).toEqual([0, 25, 50, 75, 100]);
  });
});

describe('barSegments', () => {
  it('fills exactly the width, in order, without gaps', () => {
    const segments = barSegments(
      [
        { key: 'critical', value: 1 },
        { key: 'high', value: 2 },
        { key: 'medium', value: 3 },
      ],
      100,
    );
    expect(segments.map((s) => s.key)).toEqual(['critical', 'high', 'medium']);
    expect(segments.reduce((sum, s) => sum + s.width, 0)).toBe(100);
    for (let i = 1; i < segments.length; i++) {
      expect(segments[i].x).toBe(segments[i - 1].x + segments[i - 1].width);
    }
  });

  it('keeps one unit for a tiny count beside a huge one', () => {
    const segments = barSegments(
      [
        { key: 'critical', value: 1 },
        { key: 'low', value: 100_000 },
      ],
      100,
    );
    expect(segments[0].width).toBeGreaterThanOrEqual(1);
    expect(segments[0].width + segments[1].width).toBe(100);
  });

  it('leaves out zero counts and gives nothing for an empty total', () => {
    expect(
      barSegments(
        [
          { key: 'high', value: 0 },
          { key: 'low', value: 5 },
        ],
        100,
      ),
    ).toEqual([{ key: 'low', value: 5, x: 0, width: 100 }]);
    expect(barSegments([{ key: 'high', value: 0 }], 100)).toEqual([]);
  });
});

describe('arcPath', () => {
  it('draws from 12 o’clock clockwise, the large arc past half', () => {
    expect(arcPath(50, 50, 40, 0.25)).toBe('M 50 10 A 40 40 0 0 1 90.000 50.000');
    expect(arcPath(50, 50, 40, 0.75)).toContain(' 0 1 1 ');
  });
});

describe('countTicks', () => {
  it('steps by whole numbers that read well', () => {
    expect(countTicks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(countTicks(2)).toEqual([0, 1, 2]);
    expect(countTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(countTicks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(countTicks(25)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(countTicks(500)).toEqual([0, 100, 200, 300, 400, 500]);
  });
});
