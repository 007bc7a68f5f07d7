package ui

import (
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Colour names agentdesk adds to the theme. Text colours are derived from
// the base theme's own colours and then measured: each reaches
// contrastTarget against every surface text is drawn on (window, dialog,
// menu and card backgrounds) in the variant asked for.
const (
	// colorNameCard is the background of a timeline card.
	colorNameCard fyne.ThemeColorName = "agentdesk.card"
	// colorNameMuted is secondary text: metadata, hints, targets.
	colorNameMuted fyne.ThemeColorName = "agentdesk.muted"
	// colorNameOK, colorNameWarn, colorNameDanger and colorNameInfo are
	// the outcome colours of a card's state line and of notices.
	colorNameOK     fyne.ThemeColorName = "agentdesk.ok"
	colorNameWarn   fyne.ThemeColorName = "agentdesk.warn"
	colorNameDanger fyne.ThemeColorName = "agentdesk.danger"
	colorNameInfo   fyne.ThemeColorName = "agentdesk.info"
)

// deskTheme wraps a base theme (Fyne's default in the app, its test theme
// in reference-image tests) and adds the colours above, and a readable
// placeholder colour. Everything else is the base theme's.
type deskTheme struct {
	fyne.Theme

	mu    sync.Mutex
	cache map[themeColorKey]color.Color
}

type themeColorKey struct {
	name    fyne.ThemeColorName
	variant fyne.ThemeVariant
}

// newDeskTheme wraps base.
func newDeskTheme(base fyne.Theme) *deskTheme {
	return &deskTheme{Theme: base, cache: map[themeColorKey]color.Color{}}
}

// Color returns the named colour for a variant, deriving agentdesk's own.
func (t *deskTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case colorNameCard, colorNameMuted, colorNameOK, colorNameWarn, colorNameDanger, colorNameInfo,
		theme.ColorNamePlaceHolder, theme.ColorNameHyperlink,
		theme.ColorNamePrimary, theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameWarning:
	default:
		return t.Theme.Color(n, v)
	}
	k := themeColorKey{n, v}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.cache[k]; ok {
		return c
	}
	c := t.derive(n, v)
	t.cache[k] = c
	return c
}

// surfaces are the opaque backgrounds text is drawn on in variant v.
func (t *deskTheme) surfaces(v fyne.ThemeVariant) []color.Color {
	bg := over(t.Theme.Color(theme.ColorNameBackground, v), white)
	return []color.Color{
		bg,
		over(t.Theme.Color(theme.ColorNameOverlayBackground, v), bg),
		over(t.Theme.Color(theme.ColorNameMenuBackground, v), bg),
		t.card(v),
		over(t.Theme.Color(theme.ColorNameInputBackground, v), bg),
	}
}

// card is a card's background: the input background over the window's.
func (t *deskTheme) card(v fyne.ThemeVariant) color.NRGBA {
	bg := over(t.Theme.Color(theme.ColorNameBackground, v), white)
	return over(t.Theme.Color(theme.ColorNameInputBackground, v), bg)
}

func (t *deskTheme) derive(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	bgs := t.surfaces(v)
	base := func(name fyne.ThemeColorName) color.NRGBA { return over(t.Theme.Color(name, v), bgs[0]) }
	switch n {
	case colorNameCard:
		return t.card(v)
	case colorNameMuted:
		// Secondary text: the foreground pulled toward the background,
		// then pushed back just far enough to stay readable.
		return readableOn(blend(base(theme.ColorNameForeground), bgs[0].(color.NRGBA), 0.5), bgs...)
	case colorNameOK:
		return readableOn(base(theme.ColorNameSuccess), bgs...)
	case colorNameWarn:
		return readableOn(base(theme.ColorNameWarning), bgs...)
	case colorNameDanger:
		return readableOn(base(theme.ColorNameError), bgs...)
	case colorNameInfo:
		return readableOn(base(theme.ColorNamePrimary), bgs...)
	case theme.ColorNamePlaceHolder, theme.ColorNameHyperlink:
		return readableOn(base(n), bgs...)
	case theme.ColorNamePrimary, theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameWarning:
		// Buttons of these importances draw their label in the matching
		// "foreground on" colour: move the fill away from it just enough.
		return fillUnder(base(n), over(t.Theme.Color(onColor[n], v), bgs[0]))
	}
	return t.Theme.Color(n, v)
}

// fixedVariant forces one theme variant, whatever the system asks for:
// tests render both variants with it.
type fixedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color returns the colour of the fixed variant.
func (f fixedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return f.Theme.Color(n, f.variant)
}

// onColor names the text colour Fyne draws on each coloured fill.
var onColor = map[fyne.ThemeColorName]fyne.ThemeColorName{
	theme.ColorNamePrimary: theme.ColorNameForegroundOnPrimary,
	theme.ColorNameError:   theme.ColorNameForegroundOnError,
	theme.ColorNameSuccess: theme.ColorNameForegroundOnSuccess,
	theme.ColorNameWarning: theme.ColorNameForegroundOnWarning,
}

// fillUnder returns fill, moved away from text (toward black under light
// text, toward white under dark text) until text on it reaches the
// contrast target.
func fillUnder(fill, text color.NRGBA) color.NRGBA {
	if ContrastRatio(text, fill) >= contrastTarget {
		return fill
	}
	toward := black
	if Luminance(text) < 0.5 {
		toward = white
	}
	lo, hi := 0.0, 1.0
	for range 24 {
		mid := (lo + hi) / 2
		if ContrastRatio(text, blend(fill, toward, mid)) >= contrastTarget {
			hi = mid
		} else {
			lo = mid
		}
	}
	return blend(fill, toward, hi)
}
