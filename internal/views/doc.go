// Package views hosts ostui's full-screen views: Bubble Tea programs
// (charm.land v2) that the shell opens on demand (/browse, /overview,
// /view, a key) and that return to the prompt with the screen and the
// conversation intact.
//
// # What the host gives a view
//
//   - Run(ctx, model, Options) shows the model on the alternate screen
//     and returns when it quits. The shell's line editor is idle while a
//     handler runs (ergochat/readline reads stdin only inside ReadLine),
//     and Options.Suspend lets the shell mute its own event rendering, so
//     nothing else writes to the terminal. Leaving the alternate screen
//     restores the scrollback: the conversation is where it was. Frame
//     (applied by Run) sets AltScreen and the mouse mode on every frame;
//     a view returns plain content.
//   - Deps: the Backend (reads and plans through the session engine,
//     never a cloud client — internal/archtest refuses a package under
//     internal/views that imports gophercloud or internal/cloud), the
//     context, the shared Styles, an optional privacy Mask and a clock.
//   - Deps.Read(tag, tool, args) is a tea.Cmd that runs a read tool off
//     the UI goroutine and answers with a ReadMsg. There is no I/O inside
//     Update: every read, check and plan runs as a command.
//   - Deps.Text(column, s) escapes cloud text (internal/termtext) and
//     masks it in privacy mode; call it on every value from the cloud.
//   - Styles: status colours identical to the table output
//     (render.Tone), effect badges, cursor, faint text; NewStyles(false)
//     under NO_COLOR. The program itself also downsamples colours to the
//     terminal's profile.
//   - HelpBar(styles, width, bindings...) renders the enabled bindings
//     (bubbles key.Binding) as the bottom line: list only the keys that
//     work in the current state.
//   - Changes: build a plan.Plan (origin slash: the person's own key)
//     and submit it with Backend.Submit and the plan-review view's
//     approver (package internal/views/review): review.NewApprover, start
//     Submit and approver.Next() as commands, embed review.Model when a
//     review.RequestMsg arrives. The person approves in the view; the
//     engine runs, audits and reports. A view never runs a change tool
//     itself.
//
// # Writing a view
//
//	type Model struct{ deps views.Deps; width, height int; ... }
//
//	func New(d views.Deps) Model { ... }
//	func (m Model) Init() tea.Cmd { return m.deps.Read("servers", "server.list", nil) }
//	func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
//		switch msg := msg.(type) {
//		case tea.WindowSizeMsg: // resize: keep the size, re-layout in View
//			m.width, m.height = msg.Width, msg.Height
//		case views.ReadMsg: // a read answered
//		case tea.KeyPressMsg:
//			switch msg.String() {
//			case "q", "esc", "ctrl+c":
//				return m, tea.Quit
//			}
//		}
//		return m, nil
//	}
//	func (m Model) View() tea.View { return tea.NewView(render(m)) }
//
// and from the shell (internal/cli): s.runView(ctx, New(s.viewDeps(ctx))),
// which connects first, mutes the shell's event printing, runs the view
// with views.Run and remembers it for /view. A view that implements
// Reopener is shown again by /view with a fresh context (the browser
// keeps its pages); any other is shown as it was left. Idle views must
// not tick: start a spinner or timer only while something is loading, so
// an open view costs no CPU.
//
// Tests: call Update and View directly (model-method tests) and compare
// View().Content with a golden file at a fixed size with NewStyles(false)
// and NewStyles(true); teatest (v2) drives whole programs.
package views
