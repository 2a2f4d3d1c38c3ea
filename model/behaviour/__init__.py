"""One small module per behaviour, each a function over the population arrays.

Monthly order (model/model.py): subsidies -> outreach (branch offices: Perisai hiring, campaigns,
villages, firms) -> Perisai visits -> awareness -> take-up -> payment and lapse -> formal sector
-> Perisai agents' month end -> outputs.
"""
