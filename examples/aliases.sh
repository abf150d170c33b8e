# cno shell aliases — source this from ~/.bashrc or ~/.zshrc.
# Each is a plain cno command, so every flag still works after it:
#   met ada "coffee at the station" --minutes 40 --gave

alias met='cno log --via meeting'      # met ada "coffee" --minutes 45
alias called='cno log --via call'      # called bob "catch-up" --on yesterday
alias mailed='cno log --via email'     # mailed carol "sent the deck"
alias pinged='cno log --via message'   # pinged dan "congrats on the launch"
alias gave='cno log --gave'            # gave erin "intro to a designer" --via email
alias fu='cno follow-up'               # fu ada friday "send the market map"
alias who='cno due'                    # who --within 2w
alias overdue='cno due --within 0d'    # only what is due today or overdue
alias card='cno show'                  # card ada
