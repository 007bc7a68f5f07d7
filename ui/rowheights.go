package ui

// rowHeights keeps the heights of a list's rows in a Fenwick tree, so the
// top of any row, the row at any offset and a change of one row's height
// each cost O(log n): scrolling through 100,000 rows never walks them all.
type rowHeights struct {
	tree []float32 // 1-based Fenwick tree
	h    []float32 // the heights themselves
}

// reset replaces every height.
func (r *rowHeights) reset(heights []float32) {
	n := len(heights)
	r.h = append(r.h[:0], heights...)
	if cap(r.tree) < n+1 {
		r.tree = make([]float32, n+1)
	}
	r.tree = r.tree[:n+1]
	clear(r.tree)
	for i, v := range heights {
		r.tree[i+1] += v
		if j := (i + 1) + ((i + 1) & -(i + 1)); j <= n {
			r.tree[j] += r.tree[i+1]
		}
	}
}

// len is the number of rows.
func (r *rowHeights) len() int { return len(r.h) }

// height of row i.
func (r *rowHeights) height(i int) float32 { return r.h[i] }

// set changes row i's height.
func (r *rowHeights) set(i int, v float32) {
	d := v - r.h[i]
	if d == 0 {
		return
	}
	r.h[i] = v
	for j := i + 1; j < len(r.tree); j += j & -j {
		r.tree[j] += d
	}
}

// top is the sum of the heights of rows before i.
func (r *rowHeights) top(i int) float32 {
	var s float32
	for j := i; j > 0; j -= j & -j {
		s += r.tree[j]
	}
	return s
}

// total is the height of every row.
func (r *rowHeights) total() float32 { return r.top(len(r.h)) }

// rowAt returns the row that contains offset y (the last row when y is
// past the end, 0 for an empty list or y <= 0).
func (r *rowHeights) rowAt(y float32) int {
	n := len(r.h)
	if n == 0 || y <= 0 {
		return 0
	}
	pos := 0
	step := 1
	for step*2 <= n {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if next := pos + step; next <= n && r.tree[next] <= y {
			pos = next
			y -= r.tree[next]
		}
	}
	if pos >= n {
		return n - 1
	}
	return pos
}
