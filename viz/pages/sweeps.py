import solara

@solara.component
def Page():
    solara.Text("sweeps")
