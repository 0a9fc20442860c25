"""Neural Network Playground: the entry point (`streamlit run app.py`).

The app is its pages (ui/navigation.py) around one shared sidebar; the Playground is the front
page. ui.experiment.run_app draws the navigation and the sidebar, then runs the page asked for.
"""

from ui.experiment import run_app
from ui.navigation import pages

run_app(pages())
