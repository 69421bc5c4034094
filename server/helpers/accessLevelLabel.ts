import { accessLevelLabel } from '../processes/accessLevels';

/** `{{accessLevelLabel level}}` → "Público" / "Restrito" / "Sigiloso". */
export default accessLevelLabel;
