package conn

import (
	"regexp"
	"slices"
	"strings"
)

// ChoiceAnswer is what the user picked for one Choice.
type ChoiceAnswer struct {
	// Selected are indexes into the Choice's Options; order does not matter
	// and out-of-range indexes are ignored.
	Selected []int
	// Custom is the user's own words, used when the Choice allows them.
	Custom string
}

// recommended is the marker agents put on the option they favour (the MCP
// bridge's tool description asks for it); the reply leaves it out.
var recommended = regexp.MustCompile(`\s*\(Recommended\)`)

// ChoiceReplyText formats the reply to structured choices the way the
// Flutter client does, so agents read one format: for each answered
// question "Q: <header, or the question when there is none>" and
// "A: <chosen labels in option order, then the custom text, joined by
// ', '>", with a blank line between questions. Unanswered questions are
// left out; the result is "" when nothing was answered. answers[i] belongs
// to choices[i]; missing answers count as unanswered.
func ChoiceReplyText(choices []Choice, answers []ChoiceAnswer) string {
	var blocks []string
	for i, c := range choices {
		if i >= len(answers) {
			break
		}
		a := answers[i]
		var parts []string
		sel := slices.Clone(a.Selected)
		slices.Sort(sel)
		sel = slices.Compact(sel)
		for _, idx := range sel {
			if idx < 0 || idx >= len(c.Options) {
				continue
			}
			if label := strings.TrimSpace(recommended.ReplaceAllString(c.Options[idx].Label, "")); label != "" {
				parts = append(parts, label)
			}
		}
		if custom := strings.TrimSpace(a.Custom); custom != "" && (c.Custom || len(c.Options) == 0) {
			parts = append(parts, custom)
		}
		if len(parts) == 0 {
			continue
		}
		label := strings.TrimSpace(c.Header)
		if label == "" {
			label = strings.TrimSpace(c.Question)
		}
		blocks = append(blocks, "Q: "+label+"\nA: "+strings.Join(parts, ", "))
	}
	return strings.Join(blocks, "\n\n")
}
