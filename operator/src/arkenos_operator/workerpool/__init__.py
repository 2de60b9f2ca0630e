"""The shared standard worker pool: its Deployment, and the scaler that sizes it on live
sessions read from the workers' metrics (the shared :mod:`arkenos_operator.scaling`)."""
