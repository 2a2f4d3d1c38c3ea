"""The few actors with rich individual logic, as mesa Agents: Perisai agents, the branch office,
and the local governments and province that pay premium subsidies."""
