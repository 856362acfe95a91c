"""Use cases. Each public function is one unit of work and the only place that commits."""
