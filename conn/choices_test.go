package conn_test

import (
	"reflect"
	"testing"

	"github.com/agentdesk/agentdesk/conn"
	"github.com/agentdesk/agentdesk/conn/aaserver/aatest"
	"github.com/agentdesk/agentdesk/conn/wire"
)

// Structured choices sent by a newer bridge arrive intact over a real
// socket, live and from the pending list; a question without them (an
// older bridge) arrives with none, and the formatted answer reaches the agent.
func TestChoicesArriveIntact(t *testing.T) {
	s, m, log, _, _ := withPeer(t)
	req := askReq("c1")
	req.Request.Questions = []*wire.Question{
		aatest.Question("Which database?", "DB", false, true, "Postgres (Recommended)", "SQLite"),
		aatest.Question("Which targets?", "", true, false, "linux", "windows", "darwin"),
	}
	answer := aatest.AskAsync(s, req)
	old := aatest.AskAsync(s, askReq("plain"))

	want := []conn.Choice{
		{Question: "Which database?", Header: "DB", Custom: true, Options: []conn.ChoiceOption{
			{Label: "Postgres (Recommended)", Description: "about Postgres (Recommended)"}, {Label: "SQLite", Description: "about SQLite"}}},
		{Question: "Which targets?", Multiple: true, Options: []conn.ChoiceOption{
			{Label: "linux", Description: "about linux"}, {Label: "windows", Description: "about windows"}, {Label: "darwin", Description: "about darwin"}}},
	}
	r := arrivedID(log, "S", "c1")
	if !reflect.DeepEqual(r.Choices, want) {
		t.Fatalf("choices = %+v\nwant %+v", r.Choices, want)
	}
	if p := arrivedID(log, "S", "plain"); p.Choices != nil || p.Text != "show me" {
		t.Fatalf("a question without choices = %+v", p)
	}

	// A client that connects later gets them from the pending list.
	late, lateLog := newManager(t, fastOptions())
	late.Put(serverCfg("S", s.URL()))
	if lr := waitEvent(lateLog, "S", func(e conn.RequestArrived) bool { return e.Request.ID == "c1" }); !lr.Recovered || !reflect.DeepEqual(lr.Request.Choices, want) {
		t.Fatalf("recovered = %v, choices = %+v", lr.Recovered, lr.Request.Choices)
	}

	text := conn.ChoiceReplyText(r.Choices, []conn.ChoiceAnswer{{Selected: []int{0}}, {Selected: []int{2, 0}}})
	if err := m.Reply(r.Key(), text); err != nil {
		t.Fatal(err)
	}
	if got := answerText(t, answer); got != "Q: DB\nA: Postgres\n\nQ: Which targets?\nA: linux, darwin" {
		t.Fatalf("agent got %q", got)
	}
	if err := m.Reply(conn.RequestKey{Server: "S", ID: "plain"}, "ok"); err != nil {
		t.Fatal(err)
	}
	if got := answerText(t, old); got != "ok" {
		t.Fatalf("agent got %q", got)
	}
}

func TestChoiceReplyText(t *testing.T) {
	db := conn.Choice{Question: "Which database?", Header: "DB", Custom: true,
		Options: []conn.ChoiceOption{{Label: "Postgres (Recommended)"}, {Label: "SQLite"}}}
	targets := conn.Choice{Question: "Which targets?", Multiple: true,
		Options: []conn.ChoiceOption{{Label: "linux"}, {Label: "windows"}, {Label: "darwin"}}}
	noCustom := conn.Choice{Question: "Go?", Options: []conn.ChoiceOption{{Label: "yes"}, {Label: "no"}}}
	free := conn.Choice{Question: "  Anything else?  "}
	cases := []struct {
		name    string
		choices []conn.Choice
		answers []conn.ChoiceAnswer
		want    string
	}{
		{"one pick, marker dropped", []conn.Choice{db}, []conn.ChoiceAnswer{{Selected: []int{0}}}, "Q: DB\nA: Postgres"},
		{"picks in option order, deduplicated", []conn.Choice{targets}, []conn.ChoiceAnswer{{Selected: []int{2, 0, 2}}}, "Q: Which targets?\nA: linux, darwin"},
		{"custom text after the labels", []conn.Choice{db}, []conn.ChoiceAnswer{{Selected: []int{1}, Custom: "  but in WAL mode "}}, "Q: DB\nA: SQLite, but in WAL mode"},
		{"custom only", []conn.Choice{db}, []conn.ChoiceAnswer{{Custom: "MySQL"}}, "Q: DB\nA: MySQL"},
		{"custom ignored when not allowed", []conn.Choice{noCustom}, []conn.ChoiceAnswer{{Selected: []int{1}, Custom: "maybe"}}, "Q: Go?\nA: no"},
		{"free question takes text", []conn.Choice{free}, []conn.ChoiceAnswer{{Custom: "no"}}, "Q: Anything else?\nA: no"},
		{"unanswered left out", []conn.Choice{db, targets, noCustom}, []conn.ChoiceAnswer{{}, {Selected: []int{1}}, {Selected: []int{0}}},
			"Q: Which targets?\nA: windows\n\nQ: Go?\nA: yes"},
		{"nothing answered", []conn.Choice{db}, []conn.ChoiceAnswer{{Selected: []int{-1, 7}}}, ""},
		{"missing answers", []conn.Choice{db, targets}, []conn.ChoiceAnswer{{Selected: []int{1}}}, "Q: DB\nA: SQLite"},
		{"no choices", nil, nil, ""},
	}
	for _, tc := range cases {
		if got := conn.ChoiceReplyText(tc.choices, tc.answers); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
