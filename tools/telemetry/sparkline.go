package telemetry

import (
	"math"
	"strconv"
	"strings"
)

// bars are the eight heights of a sparkline, lowest first.
var bars = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws values as one line of block characters, scaled between
// their minimum and maximum, at most width characters wide: a longer
// series is folded into width buckets, each the mean of its values (the
// newest value always ends the line). A flat series is drawn at the
// bottom when it is zero and at half height otherwise, so "always 0" and
// "always 40" do not look alike. NaN and infinite values are skipped.
func Sparkline(values []float64, width int) string {
	var vs []float64
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 || width <= 0 {
		return ""
	}
	vs = fold(vs, width)
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var b strings.Builder
	for _, v := range vs {
		var i int
		switch {
		case hi == lo && v == 0:
			i = 0
		case hi == lo:
			i = len(bars)/2 - 1
		default:
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(bars)-1)))
		}
		b.WriteRune(bars[i])
	}
	return b.String()
}

// fold averages vs into at most width buckets of near-equal size.
func fold(vs []float64, width int) []float64 {
	if len(vs) <= width {
		return vs
	}
	out := make([]float64, width)
	for i := range width {
		from, to := i*len(vs)/width, (i+1)*len(vs)/width
		sum := 0.0
		for _, v := range vs[from:to] {
			sum += v
		}
		out[i] = sum / float64(to-from)
	}
	return out
}

// Summary is the minimum, maximum and last of a series.
type Summary struct {
	Min, Max, Last float64
	Count          int
}

// Summarize returns the series' summary; ok is false when it is empty.
func Summarize(pts []Point) (s Summary, ok bool) {
	for i, p := range pts {
		if i == 0 {
			s.Min, s.Max = p.Value, p.Value
		}
		s.Min, s.Max, s.Last = math.Min(s.Min, p.Value), math.Max(s.Max, p.Value), p.Value
		s.Count++
	}
	return s, s.Count > 0
}

// Values returns the points' values in order.
func Values(pts []Point) []float64 {
	out := make([]float64, len(pts))
	for i, p := range pts {
		out[i] = p.Value
	}
	return out
}

// FormatValue writes a measure for people: whole numbers as they are,
// others with two decimals (one from 100 up), without trailing zeros.
func FormatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	prec := 2
	if math.Abs(v) >= 100 {
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
