package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/desk"
	"github.com/agentdesk/agentdesk/conn/history"
	"github.com/agentdesk/agentdesk/conn/model"
)

// searchPage is how many results one search call asks for; more come as
// the list scrolls near its end.
const searchPage = 50

// searchDebounce is how long typing must pause before a search runs.
const searchDebounce = 150 * time.Millisecond

// searchInput is what the history search needs: the searches to run (off
// the UI goroutine, through the worker), server labels, and what its
// results lead to.
type searchInput struct {
	model  *model.Model
	work   *worker
	after  func(d time.Duration, f func()) func()
	search func(ctx context.Context, q desk.HistoryQuery) (desk.HistoryPage, error)
	count  func(ctx context.Context, q desk.HistoryQuery) (int, error)
	facets func(ctx context.Context) (history.Facets, error)
	look   func(conn.ServerID) serverLook
	// open shows one result in full.
	open func(k conn.RequestKey)
	// close leaves the search for the timeline.
	close func()
}

// searchView searches every request agentdesk ever saw (Ctrl+F): text,
// server, agent, project and state. Results are read a page at a time as
// the list scrolls, so a hundred thousand rows never load at once.
type searchView struct {
	in    searchInput
	root  fyne.CanvasObject
	scope *keyScope

	query   *scopedEntry
	server  *scopedSelect
	state   *scopedSelect
	agent   *scopedSelect
	project *scopedSelect
	summary *toneText
	list    *widget.List

	serverIDs []conn.ServerID
	agents    []string
	projects  []string

	results  []model.Card
	next     int64
	loading  bool
	gen      int // the query the results belong to
	debounce func()
	updating bool
}

// searchStates are the states the state filter offers, in its order
// after "any state".
var searchStates = []history.State{history.StatePending, history.StateAnswered, history.StateAnsweredElsewhere,
	history.StateCancelled, history.StateGone, history.StateUndeliverable}

func newSearchView(in searchInput) *searchView {
	v := &searchView{in: in}
	v.scope = &keyScope{cancel: in.close, submit: func() { v.run() }}
	v.query = newScopedEntry(v.scope)
	v.query.SetPlaceHolder(T("Search every question, report and reply…"))
	v.query.OnChanged = func(string) { v.schedule() }
	changed := func(string) {
		if !v.updating {
			v.run()
		}
	}
	v.server = newScopedSelect(nil, changed, v.scope)
	v.state = newScopedSelect(nil, changed, v.scope)
	v.agent = newScopedSelect(nil, changed, v.scope)
	v.project = newScopedSelect(nil, changed, v.scope)
	v.summary = newToneText(toneMuted, false)
	closeBtn := newScopedButton(T("Close search"), theme.CancelIcon(), in.close, v.scope)
	v.list = widget.NewList(v.length, v.newRow, v.updateRow)
	v.list.OnSelected = func(id widget.ListItemID) {
		v.list.UnselectAll()
		if id < len(v.results) {
			in.open(v.results[id].Key())
		}
	}
	filters := container.NewGridWithColumns(4, v.server, v.agent, v.project, v.state)
	bar := container.NewVBox(bordered(nil, nil, widget.NewIcon(theme.SearchIcon()), closeBtn, v.query), filters, v.summary)
	v.root = bordered(bar, nil, nil, nil, v.list)
	return v
}

// open resets the filters' choices and runs the search as it stands.
func (v *searchView) open() {
	v.updating = true
	servers := v.in.model.Servers()
	v.serverIDs = v.serverIDs[:0]
	opts := []string{T("All servers")}
	for _, s := range servers {
		opts = append(opts, oneLine(s.Label, 40))
		v.serverIDs = append(v.serverIDs, s.ID)
	}
	keepSelection(&v.server.Select, opts)
	states := []string{T("Any state"), T("Pending"), T("Answered by you"), T("Answered elsewhere"), T("Cancelled"),
		T("Gone while offline"), T("Undeliverable")}
	keepSelection(&v.state.Select, states)
	keepSelection(&v.agent.Select, []string{T("All agents")})
	keepSelection(&v.project.Select, []string{T("All projects")})
	v.updating = false
	runFor(v.in.work, v.in.facets, func(f history.Facets, err error) {
		if err != nil {
			return
		}
		v.updating = true
		v.agents, v.projects = f.Agents, f.Projects
		keepSelection(&v.agent.Select, append([]string{T("All agents")}, labels(f.Agents)...))
		keepSelection(&v.project.Select, append([]string{T("All projects")}, labels(f.Projects)...))
		v.updating = false
	})
	v.run()
}

// keepSelection sets a drop-down's options, keeping the choice when it is
// still offered.
func keepSelection(s *widget.Select, opts []string) {
	i := s.SelectedIndex()
	s.Options = opts
	if i < 0 || i >= len(opts) {
		i = 0
	}
	s.SetSelectedIndex(i)
	s.Refresh()
}

func labels(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = oneLine(s, 60)
	}
	return out
}

// query is the search the bar describes now.
func (v *searchView) queryNow() desk.HistoryQuery {
	q := desk.HistoryQuery{Text: cut(v.query.Text, 500), Limit: searchPage}
	if i := v.server.SelectedIndex(); i > 0 && i-1 < len(v.serverIDs) {
		q.Servers = []conn.ServerID{v.serverIDs[i-1]}
	}
	if i := v.state.SelectedIndex(); i > 0 && i-1 < len(searchStates) {
		q.States = []history.State{searchStates[i-1]}
	}
	if i := v.agent.SelectedIndex(); i > 0 && i-1 < len(v.agents) {
		q.Agent = v.agents[i-1]
	}
	if i := v.project.SelectedIndex(); i > 0 && i-1 < len(v.projects) {
		q.Project = v.projects[i-1]
	}
	return q
}

// schedule runs the search once typing pauses.
func (v *searchView) schedule() {
	if v.debounce != nil {
		v.debounce()
	}
	v.debounce = v.in.after(searchDebounce, v.run)
}

// run starts the search from its first page; results of earlier searches
// still on their way are dropped.
func (v *searchView) run() {
	if v.debounce != nil {
		v.debounce()
		v.debounce = nil
	}
	v.gen++
	v.results, v.next, v.loading = nil, 0, false
	v.list.Refresh()
	v.list.ScrollToTop()
	v.summary.Set(T("Searching…"), toneMuted, false)
	q, gen := v.queryNow(), v.gen
	v.fetch(q, gen)
	runFor(v.in.work, func(ctx context.Context) (int, error) { return v.in.count(ctx, q) }, func(n int, err error) {
		if gen != v.gen {
			return
		}
		if err != nil {
			v.summary.Set(cut(err.Error(), maxLine), toneDanger, false)
			return
		}
		v.summary.Set(T("{{.N}} found", map[string]any{"N": n}), toneMuted, false)
	})
}

// fetch reads the next page of q. A page can come back short while more
// follow (the history stops rare filters early to stay fast), so it reads
// on until it has a page or the end.
func (v *searchView) fetch(q desk.HistoryQuery, gen int) {
	if v.loading {
		return
	}
	v.loading = true
	q.Before = v.next
	runFor(v.in.work, func(ctx context.Context) (desk.HistoryPage, error) {
		var all desk.HistoryPage
		for tries := 0; tries < 20; tries++ {
			p, err := v.in.search(ctx, q)
			if err != nil {
				return all, err
			}
			all.Cards = append(all.Cards, p.Cards...)
			all.Next = p.Next
			if p.Next == 0 || len(all.Cards) >= searchPage {
				break
			}
			q.Before = p.Next
		}
		return all, nil
	}, func(p desk.HistoryPage, err error) {
		if gen != v.gen {
			return
		}
		v.loading = false
		if err != nil {
			v.summary.Set(cut(err.Error(), maxLine), toneDanger, false)
			return
		}
		v.results = append(v.results, p.Cards...)
		v.next = p.Next
		v.list.Refresh()
	})
}

// length counts the rows: the results, and one more that loads the next
// page while more remain.
func (v *searchView) length() int {
	if v.next != 0 {
		return len(v.results) + 1
	}
	return len(v.results)
}

// searchRow is one result: its server, state and time, and the start of
// its question.
type searchRow struct {
	widget.BaseWidget
	tag   *serverTag
	state *toneText
	text  *toneText
}

func (v *searchView) newRow() fyne.CanvasObject {
	r := &searchRow{tag: newServerTag(), state: newToneText(toneNormal, false), text: newToneText(toneNormal, false)}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the row out: tag and state, then the text.
func (r *searchRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewVBox(bordered(nil, nil, r.tag, nil, r.state), r.text))
}

func (v *searchView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r := o.(*searchRow)
	if id >= len(v.results) {
		r.tag.set("", theme.Color(theme.ColorNameBackground))
		r.state.Set(T("Loading more…"), toneMuted, false)
		r.text.Set(" ", toneNormal, false)
		v.fetch(v.queryNow(), v.gen)
		return
	}
	if id >= len(v.results)-10 && v.next != 0 {
		v.fetch(v.queryNow(), v.gen)
	}
	cd := v.results[id]
	look := v.in.look(cd.Request.Server)
	r.tag.set(oneLine(look.label, 40), look.color)
	status, tn := statusText(cd)
	if status == "" {
		status, tn = T("Pending"), toneInfo
	}
	r.state.Set(oneLine(fmt.Sprintf("%s · %s · %s", formatTime(cd.Request.CreatedAt), oneLine(cd.Request.AgentName, 40), status), maxLabel), tn, false)
	r.text.Set(oneLine(cd.Request.Text, maxLabel), toneNormal, false)
}

// showHistoryCard shows one stored request in full, with copy buttons.
func (u *UI) showHistoryCard(k conn.RequestKey) {
	runFor(u.work, func(ctx context.Context) (model.Card, error) { return u.core.HistoryCard(ctx, k) },
		func(cd model.Card, err error) {
			if err != nil {
				u.notifyError(titleHistoryFailed, err)
				return
			}
			scope := &keyScope{}
			var m *modal
			body := widget.NewRichText(safeSegments(cd.Request.Text, openURL)...)
			body.Wrapping = fyne.TextWrapWord
			state := newToneText(toneNormal, true)
			status, tn := statusText(cd)
			state.Set(cut(status, maxLine), tn, true)
			meta := newToneText(toneMuted, true)
			meta.Set(oneLine(joinNonEmpty(" · ", u.model.Label(k.Server), cd.Request.AgentName, cd.Request.ProjectDirectory,
				cd.Request.CreatedAt.Format("2006-01-02 15:04")), maxLine), toneMuted, false)
			copyQ := newScopedButton(T("Copy the question"), theme.ContentCopyIcon(), func() { u.copyMarkdown(k, desk.CopyQuestion) }, scope)
			copyR := newScopedButton(T("Copy the reply"), theme.ContentCopyIcon(), func() { u.copyMarkdown(k, desk.CopyReply) }, scope)
			if cd.Reply == "" && cd.ByText == "" {
				copyR.Disable()
			}
			closeBtn := newScopedButton(T("Close"), theme.CancelIcon(), func() { m.hide() }, scope)
			scope.submit = func() { m.hide() }
			scroll := container.NewVScroll(container.NewVBox(meta, body, state))
			scroll.SetMinSize(fyne.NewSize(640, 360))
			kind := T("Question")
			if cd.Request.Kind == conn.KindWorkReport {
				kind = T("Work report")
			}
			m = newModal(u.win.Canvas(), u.keys, scope, kind, scroll, copyQ, copyR, closeBtn)
			m.show(680, closeBtn)
		})
}
